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
 * The receiving server of a peer grid (issue 24; RFC 6120 §4.7, §5.4, §6.4), played over loopback
 * connections, one at a time: it answers the grid's outbound link as a server would (STARTTLS required,
 * its own certificate, SASL EXTERNAL), with the grid's certificate checked by the JDK as a client
 * certificate issued by the grid CA, and keeps what the grid sent. Then it takes the stanzas of the
 * link, offers XEP-0198 acknowledgements and answers {@code <r/>} with how many it received; a new
 * link may resume that count (§5). The test can cut the link and refuse new ones for a while (a peer grid that is down).
 */
final class ReceivingPeer implements AutoCloseable {

    private static final Pattern HEADER = Pattern.compile("<stream:stream[^>]*>");
    private final PeerGrid peer;
    private final ServerSocket listener;
    private final StringBuilder received = new StringBuilder();
    /** Everything the grid sent on the current link. */
    private final StringBuilder transcript = new StringBuilder();
    private final CompletableFuture<X509Certificate[]> clientChain = new CompletableFuture<>();
    private final CompletableFuture<String> done = new CompletableFuture<>();
    private final java.util.concurrent.BlockingQueue<String> stanzas = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger links = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.BlockingQueue<String> ends = new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile boolean refusing;
    private final boolean directTls;
    private volatile long withholdAbove = -1;
    private static final String SM_ID = "receiving-peer-count";
    /** Stanzas received on the current count (XEP-0198), across resumed links. */
    private volatile long count;
    private volatile Socket current;
    private InputStream in;
    private OutputStream out;

    ReceivingPeer(PeerGrid peer) throws IOException {
        this(peer, false);
    }

    /** With {@code directTls}, TLS from the first byte (XEP-0368) instead of STARTTLS. */
    ReceivingPeer(PeerGrid peer, boolean directTls) throws IOException {
        this.peer = peer;
        this.directTls = directTls;
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

    /** The stanzas the grid sent over its links, in order. */
    java.util.concurrent.BlockingQueue<String> stanzas() {
        return stanzas;
    }

    /** How many links the grid authenticated to this peer. */
    int links() {
        return links.get();
    }

    /** Why each link ended, as it ended. */
    java.util.concurrent.BlockingQueue<String> ends() {
        return ends;
    }

    /**
     * Takes the stanzas that come from now on without acknowledging them (a link that breaks before the peer says what
     * it has); what came before is still acknowledged.
     */
    void withholdAcks(boolean withhold) {
        withholdAbove = withhold ? count : -1;
    }

    /** A peer grid that is down: the current link is cut, new connections are closed at once until {@code false}. */
    void down(boolean down) throws IOException {
        refusing = down;
        Socket s = current;
        if (down && s != null) {
            s.close();
        }
    }

    private void serve() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                if (refusing) {
                    s.close();
                    continue;
                }
                current = s;
                serve(s);
            } catch (IOException e) {
                return; // the listener closed
            }
        }
    }

    private void serve(Socket s) {
        received.setLength(0);
        transcript.setLength(0);
        try (s) {
            s.setSoTimeout(120_000);
            use(s);
            if (!directTls) {
                awaitHeader();
                send("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                        + "</stream:features>");
                await("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"/>");
                send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
            }
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
            send("<stream:features><sm xmlns='urn:xmpp:sm:3'/></stream:features>");
            links.incrementAndGet();
            int after = received.length();
            while (true) {
                String e = nextElement(after);
                if (e == null) {
                    break; // </stream:stream>
                }
                after = 0;
                if (e.startsWith("<enable")) {
                    // XEP-0198 §3, §5: one count for this peer, resumable by the grid's next link
                    count = 0;
                    send("<enabled xmlns='urn:xmpp:sm:3' id='" + SM_ID + "' resume='true'/>");
                } else if (e.startsWith("<resume")) {
                    send(e.contains("previd=\"" + SM_ID + "\"") ? "<resumed xmlns='urn:xmpp:sm:3' previd='" + SM_ID + "' h='"
                            + count + "'/>" : "<failed xmlns='urn:xmpp:sm:3'/>");
                } else if (e.startsWith("<r ")) {
                    if (withholdAbove < 0 || count <= withholdAbove) {
                        send("<a xmlns='urn:xmpp:sm:3' h='" + count + "'/>");
                    }
                } else {
                    count++;
                    stanzas.add(e);
                }
            }
            send("</stream:stream>");
            ends.add("closed by the grid");
            done.complete(transcript.toString());
        } catch (Exception e) {
            clientChain.completeExceptionally(e);
            ends.add(String.valueOf(e));
            done.complete(transcript + "\n(ended: " + e + ")");
        }
    }

    /** The next whole element after position {@code from} of what was received (consumed), or null at the stream's end. */
    private String nextElement(int from) throws IOException {
        if (from > 0) {
            received.delete(0, from);
        }
        while (true) {
            int start = 0;
            while (start < received.length() && Character.isWhitespace(received.charAt(start))) {
                start++;
            }
            if (received.indexOf("</stream:stream>", start) == start) {
                return null;
            }
            int tagEnd = received.indexOf(">", start);
            if (start < received.length() && tagEnd > 0) {
                String tag = received.substring(start, tagEnd + 1);
                int end = -1;
                if (tag.endsWith("/>")) {
                    end = tagEnd + 1;
                } else {
                    String name = tag.substring(1).split("[\\s/>]", 2)[0];
                    int close = received.indexOf("</" + name + ">", tagEnd);
                    end = close < 0 ? -1 : close + name.length() + 3;
                }
                if (end > 0) {
                    String e = received.substring(start, end);
                    received.delete(0, end);
                    return e;
                }
            }
            readSome();
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
        String text = new String(b, 0, n, StandardCharsets.UTF_8);
        received.append(text);
        transcript.append(text);
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
