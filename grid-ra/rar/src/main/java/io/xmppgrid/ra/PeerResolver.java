package io.xmppgrid.ra;

import io.xmppgrid.ra.api.PeerCredentials;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Where a peer grid's server listens (RFC 6120 §3.2.1, RFC 2782, XEP-0368): the address an administrator configured,
 * else the targets of the DNS SRV records {@code _xmpp-server._tcp.<domain>} (STARTTLS) and
 * {@code _xmpps-server._tcp.<domain>} (TLS from the first byte) together, in priority order (weighted at random
 * within one priority), else the domain itself on 5269. A record of target "." says the service is not offered there
 * (RFC 2782): nothing is tried. Looked up with the JDK's DNS provider (JNDI), through {@code grid.dnsServer}
 * ({@code host:port}) when set, else the system's resolvers.
 */
final class PeerResolver {

    /** A SRV record (RFC 2782); {@code directTls}: an {@code _xmpps-server} one (XEP-0368). */
    record Srv(int priority, int weight, int port, String target, boolean directTls) {
        Srv(int priority, int weight, int port, String target) {
            this(priority, weight, port, target, false);
        }

        Srv tls() {
            return new Srv(priority, weight, port, target, true);
        }
    }

    private PeerResolver() {
    }

    /** The servers to try, in order. */
    static List<PeerCredentials.Endpoint> endpoints(PeerCredentials peer, String dnsServer) {
        if (peer.address() != null) {
            return List.of(peer.endpoint());
        }
        // XEP-0368 §3: the records of STARTTLS and of direct TLS are taken together, by priority and weight
        List<Srv> records = new ArrayList<>();
        try {
            records.addAll(srv("_xmpp-server._tcp." + peer.domain(), dnsServer));
            for (Srv s : srv("_xmpps-server._tcp." + peer.domain(), dnsServer)) {
                records.add(s.tls());
            }
        } catch (NamingException e) {
            Log.CONN.debugf("GRIDRA0518: no SRV records for %s (%s): its domain on 5269", peer.domain(), e.toString());
            return List.of(peer.endpoint());
        }
        if (records.isEmpty()) {
            return List.of(peer.endpoint());
        }
        List<PeerCredentials.Endpoint> out = new ArrayList<>();
        for (Srv r : order(records)) {
            if (!r.target().isEmpty()) { // "." : no service at this domain
                out.add(new PeerCredentials.Endpoint(r.target(), r.port(), r.directTls()));
            }
        }
        return out;
    }

    /** RFC 2782: by priority, then, within one priority, a weighted random order. */
    static List<Srv> order(List<Srv> records) {
        List<Srv> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(Srv::priority));
        List<Srv> out = new ArrayList<>(sorted.size());
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).priority() == sorted.get(i).priority()) {
                j++;
            }
            List<Srv> group = new ArrayList<>(sorted.subList(i, j));
            while (!group.isEmpty()) {
                int total = 0;
                for (Srv s : group) {
                    total += s.weight();
                }
                int pick = total == 0 ? 0 : ThreadLocalRandom.current().nextInt(total + 1);
                int run = 0;
                Srv chosen = group.get(0);
                for (Srv s : group) {
                    run += s.weight();
                    if (run >= pick) {
                        chosen = s;
                        break;
                    }
                }
                group.remove(chosen);
                out.add(chosen);
            }
            i = j;
        }
        return out;
    }

    /** The SRV records of {@code name}; empty when there are none. */
    static List<Srv> srv(String name, String dnsServer) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, dnsServer == null || dnsServer.isBlank() ? "dns:" : "dns://" + dnsServer.strip());
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(PeerResolver.class.getClassLoader()); // the adapter's module sees jdk.naming.dns
        DirContext ctx = null;
        try {
            ctx = new InitialDirContext(env);
            Attributes a = ctx.getAttributes(name, new String[] {"SRV"});
            Attribute srv = a.get("SRV");
            List<Srv> out = new ArrayList<>();
            if (srv == null) {
                return out;
            }
            NamingEnumeration<?> values = srv.getAll();
            while (values.hasMore() && out.size() < 32) { // bounded: what a resolver answers is input too
                Srv s = parse(String.valueOf(values.next()));
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        } catch (javax.naming.NameNotFoundException e) {
            return List.of();
        } finally {
            if (ctx != null) {
                ctx.close();
            }
            t.setContextClassLoader(before);
        }
    }

    /** "priority weight port target." → a record; null when malformed. */
    static Srv parse(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length != 4) {
            return null;
        }
        try {
            int priority = Integer.parseInt(f[0]);
            int weight = Integer.parseInt(f[1]);
            int port = Integer.parseInt(f[2]);
            String target = f[3].endsWith(".") ? f[3].substring(0, f[3].length() - 1) : f[3];
            if (priority < 0 || priority > 65535 || weight < 0 || weight > 65535 || port < 0 || port > 65535
                    || target.length() > 253 || !target.matches("[A-Za-z0-9.-]*") || (!target.isEmpty() && port == 0)) {
                return null;
            }
            return new Srv(priority, weight, port, target);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
