package io.xmppgrid.ra.api;

/**
 * The second message-listener interface: the adapter asks the application for a platform's
 * credentials while it negotiates SASL, so that accounts live in the application's database
 * and the adapter never sees a password.
 */
public interface PlatformDirectory {

    /**
     * The credentials of the platform with this (normalized) localpart, or null when no such
     * platform exists.
     */
    PlatformCredentials lookup(String localpart);
}
