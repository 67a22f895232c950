package io.xmppgrid.admin.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The onboarding command. Non-interactive: every input is an argument, results are JSON on
 * standard output, errors on standard error, and the exit status says which (0 done,
 * 1 refused by the server or unreachable, 2 bad usage).
 */
public final class GridAdmin {

    private static final String USAGE = String.join("\n",
            "usage: java -jar grid-admin.jar [options] COMMAND",
            "commands:",
            "  platform add NAME [--password PASSWORD] [--role ROLE]",
            "                                               create a platform with SCRAM credentials",
            "                                               (a password is generated when none is given)",
            "  platform password NAME [--password PASSWORD] set its SCRAM password (generated when none is given)",
            "  platform role NAME ROLE                      assign a role template (\"\": the operator's default)",
            "  platform revoke NAME                         revoke: disable, revoke its certificates, end its sessions",
            "  platform disable NAME                        stop its logins and end its sessions",
            "  platform enable NAME                         let it log in again (revoked certificates stay revoked)",
            "  admin add NAME [--password PASSWORD]         enrol an administrator of the console; prints its",
            "                                               TOTP key as an otpauth:// URI (and a generated password)",
            "  admin cert NAME --out FILE.p12 [--days N] [--p12-password PASSWORD]",
            "                                               a client certificate for the administrator's sign-in",
            "  admin disable NAME | admin enable NAME       stop / allow an administrator's sign-ins (enable also unlocks)",
            "  admin cert-revoke NAME                       revoke an administrator's client certificate (it goes on the CRL)",
            "  cert issue NAME --out FILE.p12 [--days N] [--p12-password PASSWORD]",
            "                                               issue a client certificate from the grid CA",
            "  node list                                    the cluster's nodes: address, state, sessions, version",
            "  node drain NAME                              send a node's platforms to the other nodes and stop its",
            "                                               XMPP listener (the server keeps running)",
            "  node serve NAME                              let a drained node serve platforms again",
            "  node sessions [TEXT]                         sessions of every node whose JID contains TEXT (100 per node)",
            "  node warm-up [SECONDS]                       run the warm-up of the node at --url now (default 60 s at most)",
            "options:",
            "  --url URL          administration API of the node (default http://127.0.0.1:8080/grid-admin/api)",
            "  --token-file FILE  administration token (default $GRID_TOKEN_FILE or",
            "                     config/target/node/data/grid/admin-token)");

    private GridAdmin() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] argv) {
        List<String> args = new ArrayList<>(List.of(argv));
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                if (i + 1 >= args.size()) {
                    return usage("option " + a + " needs a value");
                }
                opts.put(a.substring(2), args.get(++i));
            } else {
                words.add(a);
            }
        }
        String url = opts.getOrDefault("url", "http://127.0.0.1:8080/grid-admin/api");
        String tokenFile = opts.getOrDefault("token-file", System.getenv().getOrDefault("GRID_TOKEN_FILE",
                "config/target/node/data/grid/admin-token"));
        String token;
        try {
            token = Files.readString(Path.of(tokenFile), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return emit(false, "cannot read the administration token " + tokenFile + ": " + e.getMessage() + "\n");
        }
        try {
            if (words.size() == 3 && words.get(0).equals("platform") && words.get(1).equals("add")) {
                Map<String, String> form = new LinkedHashMap<>();
                form.put("name", words.get(2));
                if (opts.containsKey("password")) {
                    form.put("password", opts.get("password"));
                }
                if (opts.containsKey("role")) {
                    form.put("role", opts.get("role"));
                }
                return report(post(url + "/platforms", token, form, HttpResponse.BodyHandlers.ofString()), 201);
            }
            if (words.size() == 3 && words.get(0).equals("platform") && words.get(1).equals("password")) {
                return report(send("PUT", url + "/platforms/" + pathSegment(words.get(2)) + "/password", token,
                        Map.of("password", opts.getOrDefault("password", "")), HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 4 && words.get(0).equals("platform") && words.get(1).equals("role")) {
                return report(send("PUT", url + "/platforms/" + pathSegment(words.get(2)) + "/role", token,
                        Map.of("role", words.get(3)), HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 3 && words.get(0).equals("platform")
                    && List.of("revoke", "disable", "enable").contains(words.get(1))) {
                return report(post(url + "/platforms/" + pathSegment(words.get(2)) + "/" + words.get(1), token, Map.of(),
                        HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 3 && words.get(0).equals("admin") && words.get(1).equals("add")) {
                Map<String, String> form = new LinkedHashMap<>();
                form.put("name", words.get(2));
                if (opts.containsKey("password")) {
                    form.put("password", opts.get("password"));
                }
                return report(post(url + "/admins", token, form, HttpResponse.BodyHandlers.ofString()), 201);
            }
            if (words.size() == 3 && words.get(0).equals("admin") && words.get(1).equals("cert-revoke")) {
                return report(post(url + "/admins/" + pathSegment(words.get(2)) + "/certificate/revoke", token, Map.of(),
                        HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 3 && words.get(0).equals("admin") && List.of("disable", "enable").contains(words.get(1))) {
                return report(post(url + "/admins/" + pathSegment(words.get(2)) + "/" + words.get(1), token, Map.of(),
                        HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 2 && words.get(0).equals("node") && words.get(1).equals("list")) {
                return report(send("GET", url + "/cluster/nodes", token, Map.of(), HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 3 && words.get(0).equals("node") && List.of("drain", "serve").contains(words.get(1))) {
                return report(post(url + "/cluster/nodes/" + pathSegment(words.get(2)) + "/" + words.get(1), token, Map.of(),
                        HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() <= 3 && words.size() >= 2 && words.get(0).equals("node") && words.get(1).equals("sessions")) {
                String q = words.size() == 3 ? words.get(2) : "";
                return report(send("GET", url + "/cluster/sessions?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8), token,
                        Map.of(), HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() <= 3 && words.size() >= 2 && words.get(0).equals("node") && words.get(1).equals("warm-up")) {
                String seconds = words.size() == 3 ? words.get(2) : "60";
                if (!seconds.matches("[0-9]{1,3}")) {
                    return usage("node warm-up takes a number of seconds");
                }
                return report(post(url + "/cluster/warm-up?seconds=" + seconds, token, Map.of(),
                        HttpResponse.BodyHandlers.ofString()), 200);
            }
            if (words.size() == 3 && words.get(0).equals("cert") && words.get(1).equals("issue")) {
                return certificate(url + "/platforms/" + pathSegment(words.get(2)) + "/certificates", token, opts, "cert issue");
            }
            if (words.size() == 3 && words.get(0).equals("admin") && words.get(1).equals("cert")) {
                return certificate(url + "/admins/" + pathSegment(words.get(2)) + "/certificate", token, opts, "admin cert");
            }
        } catch (IOException e) {
            return emit(false, "cannot reach " + url + ": " + e.getMessage() + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        return usage(words.isEmpty() ? "no command" : "unknown command " + String.join(" ", words));
    }

    /** Asks for a certificate, writes the PKCS#12 (owner-only), prints its serial, file and password. */
    private static int certificate(String url, String token, Map<String, String> opts, String command)
            throws IOException, InterruptedException {
        String out = opts.get("out");
        if (out == null) {
            return usage(command + " needs --out FILE.p12");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("days", opts.getOrDefault("days", "365"));
        if (opts.containsKey("p12-password")) {
            form.put("password", opts.get("p12-password"));
        }
        HttpResponse<byte[]> r = post(url, token, form, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            return emit(false, new String(r.body(), StandardCharsets.UTF_8));
        }
        Path file = Path.of(out);
        Files.write(file, r.body(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
        String jid = header(r, "X-Grid-Jid");
        return emit(true, "{" + (jid.isEmpty() ? "" : "\"jid\":\"" + jid + "\",") + "\"serial\":\"" + header(r, "X-Grid-Serial")
                + "\",\"file\":\"" + file.toAbsolutePath() + "\",\"password\":\"" + header(r, "X-Grid-P12-Password") + "\"}\n");
    }

    private static <T> HttpResponse<T> post(String url, String token, Map<String, String> form,
                                            HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return send("POST", url, token, form, handler);
    }

    private static <T> HttpResponse<T> send(String method, String url, String token, Map<String, String> form,
                                            HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(660)) // a drain waits for the node's sessions to end, a warm-up up to 600 s
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(req, handler);
    }

    /**
     * The command's output is its interface (this is a client, not server code): the server's JSON
     * answer on standard output and exit status 0 when it is {@code expected}, else on standard
     * error and 1.
     */
    private static int report(HttpResponse<String> r, int expected) {
        return emit(r.statusCode() == expected, r.body());
    }

    /** The one place the command writes its result: standard output and 0, or standard error and 1. */
    private static int emit(boolean ok, String text) {
        (ok ? System.out : System.err).print(text);
        return ok ? 0 : 1;
    }

    private static String pathSegment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }

    private static int usage(String problem) {
        System.err.println(problem);
        System.err.println(USAGE);
        return 2;
    }
}
