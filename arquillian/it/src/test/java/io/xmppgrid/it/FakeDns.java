package io.xmppgrid.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server for the tests (RFC 1035 over UDP, RFC 2782 SRV answers): the grid's server asks it where a peer grid's
 * server is ({@code grid.dnsServer} points at it); names it does not know get NXDOMAIN.
 */
final class FakeDns implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<String, byte[]> srv = new ConcurrentHashMap<>();

    FakeDns(int port) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread t = new Thread(this::serve, "fake-dns");
        t.setDaemon(true);
        t.start();
    }

    /** Answers SRV queries for {@code name} with one record. */
    void srv(String name, int priority, int weight, int port, String target) {
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        short16(rdata, priority);
        short16(rdata, weight);
        short16(rdata, port);
        labels(rdata, target);
        srv.put(name.toLowerCase(java.util.Locale.ROOT), rdata.toByteArray());
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket q = new DatagramPacket(buf, buf.length);
                socket.receive(q);
                byte[] answer = answer(java.util.Arrays.copyOf(q.getData(), q.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, q.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(byte[] query) {
        if (query.length < 17) {
            return null;
        }
        // the question: labels from offset 12, then type and class
        StringBuilder name = new StringBuilder();
        int i = 12;
        while (query[i] != 0) {
            int len = query[i] & 0xFF;
            name.append(name.length() == 0 ? "" : ".").append(new String(query, i + 1, len, StandardCharsets.US_ASCII));
            i += len + 1;
        }
        int questionEnd = i + 5; // the zero label, type (2), class (2)
        int type = ((query[i + 1] & 0xFF) << 8) | (query[i + 2] & 0xFF);
        byte[] rdata = type == 33 ? srv.get(name.toString().toLowerCase(java.util.Locale.ROOT)) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]); // the query's id
        short16(out, rdata == null ? 0x8183 : 0x8180); // a response, recursion available; NXDOMAIN without a record
        short16(out, 1);
        short16(out, rdata == null ? 0 : 1);
        short16(out, 0);
        short16(out, 0);
        out.write(query, 12, questionEnd - 12);
        if (rdata != null) {
            short16(out, 0xC00C); // the name: a pointer to the question's
            short16(out, 33);
            short16(out, 1);
            short16(out, 0);
            short16(out, 60); // TTL 60 s
            short16(out, rdata.length);
            out.write(rdata, 0, rdata.length);
        }
        return out.toByteArray();
    }

    private static void short16(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xFF);
        out.write(v & 0xFF);
    }

    private static void labels(ByteArrayOutputStream out, String name) {
        for (String l : name.split("\\.")) {
            if (!l.isEmpty()) {
                out.write(l.length());
                out.write(l.getBytes(StandardCharsets.US_ASCII), 0, l.length());
            }
        }
        out.write(0);
    }

    @Override
    public void close() {
        socket.close();
    }
}
