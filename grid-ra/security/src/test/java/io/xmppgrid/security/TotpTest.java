package io.xmppgrid.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TotpTest {

    /** RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890". */
    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc6238AppendixBVectorsTruncatedToSixDigits() {
        // Appendix B gives 8 digits; 6 digits are the last six of them (same truncation, modulo 10^6)
        assertEquals("287082", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(59))));
        assertEquals("081804", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(1111111109))));
        assertEquals("050471", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(1111111111))));
        assertEquals("005924", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(1234567890))));
        assertEquals("279037", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(2000000000))));
        assertEquals("353130", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(20000000000L))));
    }

    @Test
    void acceptsOneStepOfDriftRefusesOlderAndReplayed() {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        long step = Totp.step(now);
        assertEquals(step, Totp.verify(SEED, Totp.code(SEED, step), now, 0));
        assertEquals(step - 1, Totp.verify(SEED, Totp.code(SEED, step - 1), now, 0));
        assertEquals(step + 1, Totp.verify(SEED, Totp.code(SEED, step + 1), now, 0));
        assertEquals(-1, Totp.verify(SEED, Totp.code(SEED, step - 2), now, 0), "two steps old");
        assertEquals(-1, Totp.verify(SEED, Totp.code(SEED, step), now, step), "replayed in its window");
        assertEquals(-1, Totp.verify(SEED, "12345", now, 0));
        assertEquals(-1, Totp.verify(SEED, "abcdef", now, 0));
        assertEquals(-1, Totp.verify(SEED, null, now, 0));
    }

    @Test
    void base32RoundTripsAndMatchesRfc4648() {
        assertEquals("MZXW6YTBOI", Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))); // RFC 4648 §10 without padding
        byte[] s = Totp.newSecret();
        assertArrayEquals(s, Totp.fromBase32(Totp.base32(s)));
        String uri = Totp.uri("XMPP-Grid grid.local", "alice", s);
        assertTrue(uri.startsWith("otpauth://totp/XMPP-Grid%20grid.local:alice?secret=" + Totp.base32(s)), uri);
    }

    @Test
    void passwordHashesVerifyAndDiffer() {
        String h = AdminPasswords.hash("correct horse battery".toCharArray(), 1000);
        assertTrue(AdminPasswords.matches("correct horse battery".toCharArray(), h));
        assertFalse(AdminPasswords.matches("correct horse batterY".toCharArray(), h));
        assertFalse(h.equals(AdminPasswords.hash("correct horse battery".toCharArray(), 1000)), "salted");
        assertFalse(AdminPasswords.matches("x".toCharArray(), "garbage"));
    }
}
