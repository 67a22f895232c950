package io.xmppgrid.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the controller's benchmark accounts through its administration API ({@code POST
 * /platforms}, one request per account over a few kept-alive connections): {@code <names><from>}
 * to {@code <names><from+count-1>}. Existing accounts (409) are kept.
 */
final class Provision {

    private Provision() {
    }

    static int run(String api, Path tokenFile, String names, int from, int count, String password, String role, int concurrency,
                   PrintStream log) throws IOException, InterruptedException {
        String token = Files.readString(tokenFile).strip();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Semaphore window = new Semaphore(concurrency);
        AtomicInteger created = new AtomicInteger();
        AtomicInteger existing = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        for (int i = from; i < from + count && failure.get() == null; i++) {
            window.acquire();
            String form = "name=" + enc(names + i) + "&password=" + enc(password) + "&role=" + enc(role);
            HttpRequest r = HttpRequest.newBuilder(URI.create(api + "/platforms")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build();
            String name = names + i;
            http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, name + ": " + e.getMessage());
                } else if (resp.statusCode() == 201) {
                    created.incrementAndGet();
                } else if (resp.statusCode() == 409) {
                    existing.incrementAndGet();
                } else {
                    failure.compareAndSet(null, name + ": HTTP " + resp.statusCode() + " " + resp.body());
                }
                window.release();
            });
        }
        window.acquire(concurrency);
        double s = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            log.println("provisioning failed: " + failure.get());
            return 1;
        }
        log.printf("controller: %d accounts created, %d existed (%s%d..%s%d) in %.0f s (%.0f/s)%n", created.get(), existing.get(),
                names, from, names, from + count - 1, s, count / s);
        return 0;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
