package io.xmppgrid.ejb.warmup;

import io.xmppgrid.security.ScramHash;
import io.xmppgrid.xmpp.XmlElement;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One client stream of the warm-up to this node's own listener over loopback, as a platform opens it: STARTTLS (the
 * server checked against the grid CA), SCRAM-SHA-256 without channel binding (GS2 {@code n}, RFC 5802 §6), resource
 * binding, XEP-0198 (the server's {@code <r/>} answered), initial presence. Blocking sockets and a reader thread per
 * stream: it only has to load the server, whose paths it exercises exactly as platforms do. Each top-level element the
 * server sends after the stream is up goes to {@code onElement}; notification messages are counted without building
 * their payload ({@code onMessage}).
 */
final class LoopbackSession implements Closeable {

    static final String STREAMS = "http://etherx.jabber.org/streams";
    static final String SM = "urn:xmpp:sm:3";
    private static final int TIMEOUT_MILLIS = 10_000;

    private final Socket plain;
    private final SSLSocket socket;
    private final OutputStream out;
    private final String domain;
    private final XMLInputFactory xml;
    private XMLStreamReader reader;
    /** Stanzas received (XEP-0198 §4 'h'); written by the reader thread, read by close(). */
    private volatile long handled;
    private boolean managed;
    private volatile boolean closing;

    private LoopbackSession(Socket plain, SSLSocket socket, String domain, XMLInputFactory xml) throws IOException {
        this.plain = plain;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.domain = domain;
        this.xml = xml;
    }

    /** Connects, secures, authenticates and binds {@code user/resource}; the stream is then quiet until {@link #start}. */
    static LoopbackSession open(InetSocketAddress server, String domain, SSLContext tls, String user, String password,
                                String resource) throws IOException {
        XMLInputFactory xml = XMLInputFactory.newFactory();
        xml.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xml.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        Socket plain = new Socket();
        boolean done = false;
        try {
            plain.connect(server, TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            plain.setTcpNoDelay(true);
            OutputStream o = plain.getOutputStream();
            o.write(header(domain));
            o.flush();
            XMLStreamReader r = stream(xml, plain.getInputStream());
            XmlElement features = next(r);
            if (features.child("starttls", "urn:ietf:params:xml:ns:xmpp-tls") == null) {
                throw new IOException("the listener offered no STARTTLS: " + features);
            }
            o.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            XmlElement proceed = next(r);
            if (!proceed.name().equals("proceed")) {
                throw new IOException("STARTTLS refused: " + proceed);
            }
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, server.getHostString(), server.getPort(), true);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(domain)));
            s.setSSLParameters(p);
            s.startHandshake();
            LoopbackSession session = new LoopbackSession(plain, s, domain, xml);
            session.login(user, password, resource);
            done = true;
            return session;
        } catch (XMLStreamException e) {
            throw new IOException("the listener's stream was not read: " + e.getMessage(), e);
        } finally {
            if (!done) {
                plain.close();
            }
        }
    }

    private void login(String user, String password, String resource) throws IOException, XMLStreamException {
        restart();
        next(reader); // features: the mechanisms
        byte[] nonce = new byte[18];
        new SecureRandom().nextBytes(nonce);
        String clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r="
                + Base64.getEncoder().encodeToString(nonce);
        send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>"
                + b64("n,," + clientFirstBare) + "</auth>");
        XmlElement challenge = next(reader);
        if (!challenge.name().equals("challenge")) {
            throw new IOException("SCRAM refused: " + challenge);
        }
        String serverFirst = new String(Base64.getDecoder().decode(challenge.text().trim()), StandardCharsets.UTF_8);
        String combined = field(serverFirst, 'r');
        if (!combined.startsWith(clientFirstBare.substring(clientFirstBare.indexOf(",r=") + 3))) {
            throw new IOException("the server's nonce does not extend ours");
        }
        ScramHash h = ScramHash.SHA_256;
        byte[] salted = h.saltedPassword(password.toCharArray(), Base64.getDecoder().decode(field(serverFirst, 's')),
                Integer.parseInt(field(serverFirst, 'i')));
        String withoutProof = "c=biws,r=" + combined;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientKey = h.hmac(salted, "Client Key");
        byte[] signature = h.hmac(h.hash(clientKey), authMessage);
        for (int i = 0; i < clientKey.length; i++) {
            clientKey[i] ^= signature[i];
        }
        send("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                + b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(clientKey)) + "</response>");
        XmlElement success = next(reader);
        if (!success.name().equals("success")) {
            throw new IOException("SCRAM failed: " + success);
        }
        String verifier = field(new String(Base64.getDecoder().decode(success.text().trim()), StandardCharsets.UTF_8), 'v');
        byte[] expected = h.hmac(h.hmac(salted, "Server Key"), authMessage);
        if (!MessageDigest.isEqual(expected, Base64.getDecoder().decode(verifier))) {
            throw new IOException("the server's SCRAM signature is wrong");
        }
        restart();
        XmlElement features = next(reader);
        send("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>" + resource
                + "</resource></bind></iq>");
        XmlElement bound = next(reader);
        if (!"result".equals(bound.attribute("type"))) {
            throw new IOException("binding refused: " + bound);
        }
        if (features.child("sm", SM) != null) {
            send("<enable xmlns='" + SM + "'/>");
            XmlElement enabled = next(reader);
            managed = enabled.name().equals("enabled");
        }
        send("<presence/>");
    }

    /** Hands the stream to a reader thread: elements to {@code onElement}, messages only counted by {@code onMessage}. */
    void start(ThreadFactory threads, Consumer<XmlElement> onElement, Runnable onMessage, Consumer<Exception> onFailure)
            throws IOException {
        socket.setSoTimeout(0);
        Thread t = threads.newThread(() -> {
            try {
                readLoop(onElement, onMessage);
            } catch (IOException | XMLStreamException | RuntimeException e) {
                if (!closing) {
                    onFailure.accept(e);
                }
            }
        });
        t.setName("grid-warmup-reader");
        t.setDaemon(true);
        t.start();
    }

    private void readLoop(Consumer<XmlElement> onElement, Runnable onMessage) throws IOException, XMLStreamException {
        while (true) {
            int event = reader.next();
            if (event == XMLStreamConstants.END_ELEMENT || event == XMLStreamConstants.END_DOCUMENT) {
                return; // the server closed the stream
            }
            if (event != XMLStreamConstants.START_ELEMENT) {
                continue;
            }
            if (reader.getLocalName().equals("message")) {
                skip(reader);
                handled++;
                onMessage.run();
            } else if (SM.equals(reader.getNamespaceURI()) && reader.getLocalName().equals("r")) {
                skip(reader);
                send("<a xmlns='" + SM + "' h='" + (handled & 0xFFFFFFFFL) + "'/>");
            } else {
                XmlElement e = element(reader);
                if (e.name().equals("iq") || e.name().equals("presence")) {
                    handled++;
                }
                onElement.accept(e);
            }
        }
    }

    /** Whether the server enabled XEP-0198 for this stream. */
    boolean managed() {
        return managed;
    }

    void send(String stanza) throws IOException {
        byte[] b = stanza.getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(b);
            out.flush();
        }
    }

    /** Closes the stream as RFC 6120 §4.4 asks (the closing tag; the server ends the session), then the socket. */
    @Override
    public void close() {
        closing = true;
        try {
            if (managed) {
                // XEP-0198 §4: acknowledge what arrived (unasked) before closing, or the server hands back every copy it
                // had not heard of and stores it for the warm-up platform (it filled that queue run after run)
                send("<a xmlns='" + SM + "' h='" + (handled & 0xFFFFFFFFL) + "'/>");
            }
            send("</stream:stream>");
        } catch (IOException e) {
            // the connection is gone already
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
        try {
            plain.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    private void restart() throws IOException, XMLStreamException {
        send(new String(header(domain), StandardCharsets.US_ASCII));
        reader = stream(xml, socket.getInputStream());
    }

    private static byte[] header(String domain) {
        return ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='" + STREAMS + "' to='" + domain
                + "' version='1.0'>").getBytes(StandardCharsets.US_ASCII);
    }

    /** A reader positioned after the server's stream header. */
    private static XMLStreamReader stream(XMLInputFactory xml, InputStream in) throws XMLStreamException, IOException {
        XMLStreamReader r = xml.createXMLStreamReader(in, "UTF-8");
        while (r.next() != XMLStreamConstants.START_ELEMENT) {
            // the XML declaration
        }
        if (!r.getLocalName().equals("stream") || !STREAMS.equals(r.getNamespaceURI())) {
            throw new IOException("not an XMPP stream: " + r.getName());
        }
        return r;
    }

    /** The next top-level element, read whole. */
    private static XmlElement next(XMLStreamReader r) throws XMLStreamException, IOException {
        while (true) {
            int event = r.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                XmlElement e = element(r);
                if (e.is("error", STREAMS)) {
                    throw new IOException("stream error: " + e);
                }
                return e;
            }
            if (event == XMLStreamConstants.END_ELEMENT || event == XMLStreamConstants.END_DOCUMENT) {
                throw new IOException("the server closed the stream");
            }
        }
    }

    private static XmlElement element(XMLStreamReader r) throws XMLStreamException {
        XmlElement.Builder b = XmlElement.builder(r.getLocalName(), r.getNamespaceURI() == null ? "" : r.getNamespaceURI());
        for (int i = 0; i < r.getAttributeCount(); i++) {
            String ns = r.getAttributeNamespace(i);
            if (ns == null || ns.isEmpty()) {
                b.attribute(r.getAttributeLocalName(i), r.getAttributeValue(i));
            } else {
                b.attribute(ns, r.getAttributeLocalName(i), r.getAttributeValue(i));
            }
        }
        while (true) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> b.child(element(r));
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> b.text(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    return b.build();
                }
                default -> {
                    // whitespace and comments carry nothing here
                }
            }
        }
    }

    private static void skip(XMLStreamReader r) throws XMLStreamException {
        int depth = 1;
        while (depth > 0) {
            int event = r.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of {@code name} in a SCRAM message ({@code a=...,b=...}). */
    static String field(String message, char name) throws IOException {
        for (String part : message.split(",")) {
            if (part.length() > 1 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        throw new IOException("SCRAM message without " + name + ": " + message);
    }
}
