package io.xmppgrid.client.examples;

import io.xmppgrid.client.GridClient;
import io.xmppgrid.client.GridClientException;
import java.nio.file.Path;

/**
 * How the examples reach the grid: environment variables, with the defaults of the README's single node.
 * {@code GRID_DOMAIN} (grid.local), {@code GRID_HOST} (127.0.0.1), {@code GRID_PORT} (5222), {@code GRID_CA}
 * (config/target/node/data/grid/tls/ca.pem), and either {@code GRID_USER} + {@code GRID_PASSWORD} (SCRAM) or
 * {@code GRID_P12} + {@code GRID_P12_PASSWORD} (SASL EXTERNAL).
 */
final class Settings {

    private Settings() {
    }

    static GridClient.Builder fromEnvironment() throws GridClientException {
        GridClient.Builder b = GridClient.builder(env("GRID_DOMAIN", "grid.local"))
                .host(env("GRID_HOST", "127.0.0.1"))
                .port(Integer.parseInt(env("GRID_PORT", "5222")))
                .trustCa(Path.of(env("GRID_CA", "config/target/node/data/grid/tls/ca.pem")));
        if (System.getenv("GRID_P12") != null) {
            return b.certificate(Path.of(System.getenv("GRID_P12")), env("GRID_P12_PASSWORD", "").toCharArray());
        }
        return b.password(env("GRID_USER", "sensor1"), env("GRID_PASSWORD", "").toCharArray());
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? otherwise : v;
    }
}
