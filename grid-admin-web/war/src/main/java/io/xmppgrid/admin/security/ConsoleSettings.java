package io.xmppgrid.admin.security;

import java.util.Locale;
import java.util.Set;

/**
 * The operator's choices for administrator access (system properties): which sign-in methods
 * are allowed ({@code grid.admin.signIn}: {@code totp}, {@code certificate}, or both, comma
 * separated), session lifetimes, whether password sign-in needs HTTPS, and how many failed
 * sign-ins one address may make per window.
 */
public record ConsoleSettings(boolean passwordAllowed, boolean certificateAllowed, int sessionIdleSeconds,
                              long sessionMaxSeconds, boolean requireHttps, int addressFailures, int addressWindowSeconds) {

    public static ConsoleSettings fromSystem() {
        Set<String> methods = Set.of(System.getProperty("grid.admin.signIn", "totp,certificate").toLowerCase(Locale.ROOT)
                .replace(" ", "").split(","));
        return new ConsoleSettings(methods.contains("totp"), methods.contains("certificate"),
                Integer.getInteger("grid.admin.sessionIdleSeconds", 900),
                Long.getLong("grid.admin.sessionMaxSeconds", 8 * 3600),
                Boolean.parseBoolean(System.getProperty("grid.admin.requireHttps", "true")),
                Integer.getInteger("grid.admin.addressFailures", 20),
                Integer.getInteger("grid.admin.addressWindowSeconds", 600));
    }
}
