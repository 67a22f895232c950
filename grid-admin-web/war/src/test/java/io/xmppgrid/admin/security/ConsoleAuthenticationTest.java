package io.xmppgrid.admin.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Issue 19 §5: where the administration token is accepted. */
class ConsoleAuthenticationTest {

    @Test
    void theTokenTravelsOverHttpsOrLoopbackOnly() {
        assertTrue(ConsoleAuthentication.tokenAccepted(false, "127.0.0.1"));
        assertTrue(ConsoleAuthentication.tokenAccepted(false, "127.0.0.2"));
        assertTrue(ConsoleAuthentication.tokenAccepted(false, "::1"));
        assertTrue(ConsoleAuthentication.tokenAccepted(true, "192.0.2.7"));
        assertFalse(ConsoleAuthentication.tokenAccepted(false, "192.0.2.7"));
        assertFalse(ConsoleAuthentication.tokenAccepted(false, "2001:db8::1"));
        assertFalse(ConsoleAuthentication.tokenAccepted(false, "localhost"), "a name is not an address");
        assertFalse(ConsoleAuthentication.tokenAccepted(false, null));
    }
}
