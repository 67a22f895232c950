package io.xmppgrid.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/**
 * The receiving server of a peer grid (issue 24; RFC 6120 §4.7, §5.4, §6.4), played over one loopback
 * connection: it answers the grid's outbound link as a server would (STARTTLS required, its own
 * certificate, SASL EXTERNAL), with the grid's certificate checked by the JDK as a client
 * certificate issued by the grid CA, and keeps what the grid sent.
 */
final class ReceivingPeer implements AutoCloseable {

    private static final Pattern HEADER = Pattern.compile("<stream:stream[^>]*>");
    private final PeerGrid peer;
    private final ServerSocket listener;
    private final StringBuilder received = new StringBuilder();
    private final CompletableFuture<X509Certificate[]> clientChain = new CompletableFuture<>();
    private final CompletableFuture<String> done = new CompletableFuture<>();
    private InputStream in;
    private OutputStream out;

    ReceivingPeer(PeerGrid peer) throws IOException {
        this.peer = peer;
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "receiving-peer-" + peer.domain());
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The certificate chain the grid presented as the client of the link. */
    CompletableFuture<X509Certificate[]> clientChain() {
        return clientChain;
    }

    /** Everything the grid sent, once the link is over (or how it failed). */
    CompletableFuture<String> done() {
        return done;
    }

    private void serve() {
        try (Socket s = listener.accept()) {
            s.setSoTimeout(15_000);
            use(s);
            awaitHeader();
            send("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
            await("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"/>");
            send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
            SSLSocket tls = (SSLSocket) peer.tls().getSocketFactory().createSocket(s, "127.0.0.1", s.getPort(), true);
            tls.setUseClientMode(false);
            tls.setNeedClientAuth(true); // the JDK checks the grid's chain against the grid CA, as a client certificate
            try {
                tls.startHandshake();
            } catch (IOException e) {
                clientChain.completeExceptionally(e);
                throw e;
            }
            clientChain.complete((X509Certificate[]) tls.getSession().getPeerCertificates());
            use(tls);
            awaitHeader();
            send("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
                    + "</mechanisms></stream:features>");
            await("</auth>");
            send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
            awaitHeader();
            send("<stream:features/>");
            await("</stream:stream>");
            done.complete(received.toString());
        } catch (Exception e) {
            clientChain.completeExceptionally(e);
            done.complete(received + "\n(ended: " + e + ")");
        }
    }

    private void use(Socket s) throws IOException {
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    private void awaitHeader() throws IOException {
        int from = received.length();
        while (!HEADER.matcher(received.substring(from)).find()) {
            readSome();
        }
        send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                + " from='" + peer.domain() + "' to='" + Grid.DOMAIN + "' id='p" + System.nanoTime() + "' version='1.0'>");
    }

    private void await(String marker) throws IOException {
        int from = received.length();
        while (received.indexOf(marker, from) < 0) {
            readSome();
        }
    }

    private void readSome() throws IOException {
        byte[] b = new byte[4096];
        int n = in.read(b);
        if (n < 0) {
            throw new IOException("the grid closed the connection");
        }
        received.append(new String(b, 0, n, StandardCharsets.UTF_8));
    }

    private void send(String xml) throws IOException {
        out.write(xml.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
