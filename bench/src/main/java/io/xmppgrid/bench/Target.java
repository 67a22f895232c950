package io.xmppgrid.bench;

/**
 * A server under test: where it listens, its XMPP domain and pubsub service, the accounts the
 * generator uses ({@code <prefix>pub}, {@code <prefix>sub0..N-1}, one password), and the process
 * whose CPU time is read from /proc (0: unknown, CPU not reported), the generator's selector threads,
 * and how many sessions share one loopback source address (0: the system picks; servers limit
 * connections per address).
 */
record Target(String name, String host, int port, String domain, String pubsub, String prefix, String password,
              long pid, String accessModel, int loops, int perAddress, java.util.List<Integer> subscriberPorts,
              java.util.List<Long> otherPids) {

    /** One server: every session on {@code port}, CPU of {@code pid}. */
    Target(String name, String host, int port, String domain, String pubsub, String prefix, String password, long pid,
           String accessModel, int loops, int perAddress) {
        this(name, host, port, domain, pubsub, prefix, password, pid, accessModel, loops, perAddress, java.util.List.of(),
                java.util.List.of());
    }

    /**
     * How the {@code i}-th subscriber logs in: on {@code port}, or, for a cluster, on the subscriber ports in turn
     * (subscriber i on port i mod n).
     */
    XmppLoops.Login subscriberLogin(int i) {
        if (subscriberPorts.isEmpty()) {
            return login(subscriber(i), i);
        }
        return new XmppLoops.Login(host, subscriberPorts.get(i % subscriberPorts.size()), domain, subscriber(i), password,
                "bench", host.startsWith("127.") && perAddress > 0 ? XmppLoops.source(i, perAddress) : null);
    }

    /** CPU seconds of the server's processes (a cluster's nodes together); 0 when unknown. */
    double cpuSeconds() {
        double s = ProcessCpu.seconds(pid);
        for (long p : otherPids) {
            s += ProcessCpu.seconds(p);
        }
        return s;
    }

    /** How the {@code i}-th session of a run logs in as {@code user} (source addresses spread, see {@link XmppLoops#source}). */
    XmppLoops.Login login(String user, int i) {
        return login(user, i, "bench");
    }

    /** The same with its own resource. */
    XmppLoops.Login login(String user, int i, String resource) {
        return new XmppLoops.Login(host, port, domain, user, password, resource,
                host.startsWith("127.") && perAddress > 0 ? XmppLoops.source(i, perAddress) : null);
    }

    String publisher() {
        return prefix + "pub";
    }

    String subscriber(int i) {
        return prefix + "sub" + i;
    }
}
