package io.xmppgrid.console.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.security.GridPki;
import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** Issue 19 §8: refused console client certificates are kept for the audit log, bounded. */
class RefusedHandshakesTest {

    private static final char[] PW = "pw".toCharArray();

    @Test
    void aRealHandshakeWithAForeignCertificateIsRefusedAndRecordedWithAddressAndSubject() throws Exception {
        GridPki.Issued gridCa = GridPki.createCa("Grid CA", Duration.ofDays(1));
        GridPki.Issued server = GridPki.issueServer(gridCa, "grid.test", Duration.ofDays(1));
        GridPki.Issued admin = GridPki.issueAdministrator(gridCa, "alice", Duration.ofDays(1));
        GridPki.Issued otherCa = GridPki.createCa("Grid CA", Duration.ofDays(1)); // same name, other key
        GridPki.Issued forged = GridPki.issueAdministrator(otherCa, "mallory", Duration.ofDays(1));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", gridCa.chain()[0]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(ConsoleTlsProvider.ALGORITHM, new ConsoleTlsProvider());
        tmf.init(trust);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys(server), tmf.getTrustManagers(), null);
        RefusedHandshakes.SHARED.take(Integer.MAX_VALUE);

        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setWantClientAuth(true);
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = (SSLSocket) listener.accept()) {
                        s.getOutputStream().write(1);
                        s.getOutputStream().flush();
                    } catch (IOException refused) {
                        // the forged one
                    }
                }
            });
            assertEquals(1, connect(listener.getLocalPort(), admin), "the grid CA's certificate is accepted");
            assertThrows(IOException.class, () -> connect(listener.getLocalPort(), forged), "another CA's is refused");
            serving.get(10, TimeUnit.SECONDS);
        }
        List<RefusedHandshakes.Refusal> refused = RefusedHandshakes.SHARED.take(10);
        assertEquals(1, refused.size(), "only the refused handshake is recorded: " + refused);
        RefusedHandshakes.Refusal r = refused.get(0);
        assertEquals("127.0.0.1", r.address());
        assertTrue(r.subject().contains("mallory"), r.subject());
        assertTrue(r.issuer().contains("Grid CA"), r.issuer());
        assertEquals("Signature does not match.", r.reason(), "the innermost cause: a CA of the same name, another key");
    }

    @Test
    void oneAddressIsRecordedOncePerWindowAndTheNextRecordSaysHowManyWereNot() {
        AtomicLong now = new AtomicLong(1_000_000);
        RefusedHandshakes r = new RefusedHandshakes(now::get);
        for (int i = 0; i < 50; i++) {
            r.refused("192.0.2.1", "CN=x" + i, "CN=ca", "no path");
        }
        r.refused("192.0.2.2", "CN=y", "CN=ca", "no path");
        List<RefusedHandshakes.Refusal> first = r.take(100);
        assertEquals(2, first.size());
        assertEquals("CN=x0", first.get(0).subject());
        now.addAndGet(RefusedHandshakes.WINDOW_MS);
        r.refused("192.0.2.1", "CN=z", "CN=ca", "no path");
        List<RefusedHandshakes.Refusal> next = r.take(100);
        assertEquals(1, next.size());
        assertEquals(49, next.get(0).notRecordedBefore());
    }

    @Test
    void waitingRefusalsAddressesAndTextsAreBounded() {
        AtomicLong now = new AtomicLong(1_000_000);
        RefusedHandshakes r = new RefusedHandshakes(now::get);
        String huge = "CN=" + "A".repeat(100_000) + "\r\nforged: line";
        for (int i = 0; i < RefusedHandshakes.MAX_WAITING + 500; i++) {
            r.refused("10.0." + (i / 256) + "." + (i % 256), huge, huge, huge);
        }
        assertTrue(r.addressesRemembered() <= RefusedHandshakes.MAX_ADDRESSES);
        List<RefusedHandshakes.Refusal> waiting = r.take(Integer.MAX_VALUE);
        assertEquals(RefusedHandshakes.MAX_WAITING, waiting.size());
        for (RefusedHandshakes.Refusal w : waiting) {
            assertTrue(w.subject().length() <= RefusedHandshakes.MAX_TEXT);
            assertFalse(w.subject().contains("\n") || w.reason().contains("\r"));
        }
        r.refused("198.51.100.1", "CN=after", "CN=ca", "no path");
        List<RefusedHandshakes.Refusal> after = r.take(10);
        assertEquals(500, after.get(0).droppedBefore(), "the next record says how many were dropped");
        for (int i = 0; i < RefusedHandshakes.MAX_ADDRESSES * 2; i++) {
            r.refused("172.16." + (i / 256) + "." + (i % 256), "CN=a", "CN=ca", "no path");
            r.take(10);
        }
        assertEquals(RefusedHandshakes.MAX_ADDRESSES, r.addressesRemembered());
    }

    private static int connect(int port, GridPki.Issued client) throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(keys(client), new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            int b = s.getInputStream().read(); // TLS 1.3: the server's refusal arrives after the client's handshake completes
            if (b < 0) {
                throw new IOException("closed");
            }
            return b;
        }
    }

    private static javax.net.ssl.KeyManager[] keys(GridPki.Issued issued) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new java.io.ByteArrayInputStream(GridPki.toPkcs12(issued, "k", PW)), PW);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, PW);
        return kmf.getKeyManagers();
    }
}
