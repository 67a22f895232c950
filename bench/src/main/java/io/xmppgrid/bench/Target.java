package io.xmppgrid.bench;

/**
 * A server under test: where it listens, its XMPP domain and pubsub service, the accounts the
 * generator uses ({@code <prefix>pub}, {@code <prefix>sub0..N-1}, one password), and the process
 * whose CPU time is read from /proc (0: unknown, CPU not reported).
 */
record Target(String name, String host, int port, String domain, String pubsub, String prefix, String password,
              long pid, String accessModel) {

    String publisher() {
        return prefix + "pub";
    }

    String subscriber(int i) {
        return prefix + "sub" + i;
    }
}
