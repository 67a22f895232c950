package io.xmppgrid.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xmppgrid.ra.api.PlatformCredentials.ScramKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScramServerTest {

    private static final byte[] SECRET = new byte[32];

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 7677 §3: the SCRAM-SHA-256 example exchange, replayed against the server side. */
    @Test
    void rfc7677TestVector() throws Exception {
        ScramKeys keys = ScramCredentials.derive(ScramHash.SHA_256, "pencil".toCharArray(),
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        ScramServer s = new ScramServer(ScramHash.SHA_256, false, false, Set.of(), t -> null, SECRET);
        s.fixedNonceSuffix = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        ScramServer.ClientFirst cf = s.clientFirst(utf8("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        assertEquals("user", cf.username());
        assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                new String(s.serverFirst(keys), StandardCharsets.UTF_8));
        byte[] last = s.clientFinal(utf8("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", new String(last, StandardCharsets.UTF_8));
    }

    /** RFC 5802 §5: the SCRAM-SHA-1 example (user/pencil). */
    @Test
    void rfc5802TestVector() throws Exception {
        ScramKeys keys = ScramCredentials.derive(ScramHash.SHA_1, "pencil".toCharArray(),
                Base64.getDecoder().decode("QSXCR+Q6sek8bf92"), 4096);
        ScramServer s = new ScramServer(ScramHash.SHA_1, false, false, Set.of(), t -> null, SECRET);
        s.fixedNonceSuffix = "3rfcNHYJY1ZVvWVs7j";
        s.clientFirst(utf8("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
        assertEquals("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                new String(s.serverFirst(keys), StandardCharsets.UTF_8));
        byte[] last = s.clientFinal(utf8("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="));
        assertEquals("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", new String(last, StandardCharsets.UTF_8));
    }

    @Test
    void wrongProofIsNotAuthorized() throws Exception {
        ScramKeys keys = ScramCredentials.derive(ScramHash.SHA_256, "pencil".toCharArray(),
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        ScramServer s = new ScramServer(ScramHash.SHA_256, false, false, Set.of(), t -> null, SECRET);
        s.fixedNonceSuffix = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        s.clientFirst(utf8("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        s.serverFirst(keys);
        SaslFailure f = assertThrows(SaslFailure.class, () -> s.clientFinal(utf8(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAAZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")));
        assertEquals("not-authorized", f.condition());
    }

    /** An unknown user gets a plausible challenge (no user enumeration), then fails at the proof. */
    @Test
    void unknownUserIsSimulatedThenRefused() throws Exception {
        ScramServer s = new ScramServer(ScramHash.SHA_256, false, false, Set.of(), t -> null, SECRET);
        s.clientFirst(utf8("n,,n=nobody,r=abcdef"));
        String first = new String(s.serverFirst(null), StandardCharsets.UTF_8);
        assertEquals(true, first.matches("r=abcdef[^,]+,s=[A-Za-z0-9+/=]+,i=10000"), first);
        String nonce = first.substring(2, first.indexOf(','));
        SaslFailure f = assertThrows(SaslFailure.class,
                () -> s.clientFinal(utf8("c=biws,r=" + nonce + ",p=" + Base64.getEncoder().encodeToString(new byte[32]))));
        assertEquals("not-authorized", f.condition());
        // the same unknown name always gets the same salt, as a real account would
        ScramServer again = new ScramServer(ScramHash.SHA_256, false, false, Set.of(), t -> null, SECRET);
        again.clientFirst(utf8("n,,n=nobody,r=xyz"));
        String second = new String(again.serverFirst(null), StandardCharsets.UTF_8);
        assertEquals(first.substring(first.indexOf(",s=")), second.substring(second.indexOf(",s=")));
    }

    /**
     * Issue 18 §6: unknown names get the iteration counts that accounts have, in their proportions, each name always
     * the same one, so an account created before the operator changed the setting does not stand out.
     */
    @Test
    void simulatedIterationCountsFollowTheAccounts() throws Exception {
        java.util.Map<Integer, Long> inUse = java.util.Map.of(4096, 1000L, 10000, 3000L);
        java.util.Map<String, Integer> counted = new java.util.TreeMap<>();
        int old = 0;
        for (int i = 0; i < 400; i++) {
            String name = "nobody" + i;
            int first = iterations(name, inUse);
            assertEquals(first, iterations(name, inUse), "the same name, the same count");
            org.junit.jupiter.api.Assertions.assertTrue(first == 4096 || first == 10000, "a count in use: " + first);
            old += first == 4096 ? 1 : 0;
        }
        org.junit.jupiter.api.Assertions.assertTrue(old > 60 && old < 140, "about a quarter old counts: " + old);
        assertEquals(10000, iterations("nobody", java.util.Map.of()), "no accounts: the current setting");
    }

    private static int iterations(String name, java.util.Map<Integer, Long> inUse) throws Exception {
        ScramServer s = new ScramServer(ScramHash.SHA_256, false, false, Set.of(), t -> null, SECRET);
        s.clientFirst(utf8("n,,n=" + name + ",r=abc"));
        String first = new String(s.serverFirst(null, name, inUse), StandardCharsets.UTF_8);
        return Integer.parseInt(first.substring(first.indexOf(",i=") + 3));
    }

    /** RFC 5802 §6: flag "y" while the server offers channel binding is a downgrade. */
    @Test
    void downgradeIsRefused() {
        ScramServer s = new ScramServer(ScramHash.SHA_256, false, true, Set.of("tls-server-end-point"), t -> null, SECRET);
        SaslFailure f = assertThrows(SaslFailure.class, () -> s.clientFirst(utf8("y,,n=user,r=abc")));
        assertEquals("not-authorized", f.condition());
    }

    /** SCRAM-SHA-256-PLUS: the c= attribute must carry the gs2 header and the binding data. */
    @Test
    void channelBindingIsChecked() throws Exception {
        byte[] cb = {1, 2, 3, 4};
        ScramKeys keys = ScramCredentials.derive(ScramHash.SHA_256, "pencil".toCharArray(), new byte[16], 4096);
        ScramServer s = new ScramServer(ScramHash.SHA_256, true, true, Set.of("tls-server-end-point"),
                t -> t.equals("tls-server-end-point") ? cb : null, SECRET);
        s.clientFirst(utf8("p=tls-server-end-point,,n=user,r=abc"));
        String first = new String(s.serverFirst(keys), StandardCharsets.UTF_8);
        String nonce = first.substring(2, first.indexOf(','));
        byte[] wrongCb = "p=tls-server-end-point,,".getBytes(StandardCharsets.UTF_8); // binding data missing
        SaslFailure f = assertThrows(SaslFailure.class, () -> s.clientFinal(utf8("c="
                + Base64.getEncoder().encodeToString(wrongCb) + ",r=" + nonce + ",p=" + Base64.getEncoder().encodeToString(new byte[32]))));
        assertEquals("not-authorized", f.condition());
    }

    @Test
    void unsupportedBindingTypeIsRefused() {
        ScramServer s = new ScramServer(ScramHash.SHA_256, true, true, Set.of("tls-server-end-point"), t -> null, SECRET);
        assertThrows(SaslFailure.class, () -> s.clientFirst(utf8("p=tls-unique,,n=user,r=abc")));
    }

    @Test
    void malformedMessagesAreMalformedRequest() {
        for (String bad : new String[] {"", "n", "n,,", "n,,r=abc", "x,,n=user,r=abc", "n,,n=us=ZZer,r=abc", "n,,m=ext,n=u,r=a"}) {
            ScramServer s = new ScramServer(ScramHash.SHA_256, false, false, Set.of(), t -> null, SECRET);
            SaslFailure f = assertThrows(SaslFailure.class, () -> s.clientFirst(utf8(bad)), bad);
            assertEquals("malformed-request", f.condition(), bad);
        }
    }

    @Test
    void storedKeysAreNotThePassword() {
        ScramKeys k = ScramCredentials.derive(ScramHash.SHA_256, "pencil".toCharArray(), 4096);
        assertEquals(16, k.salt().length);
        assertEquals(32, k.storedKey().length);
        assertEquals(32, k.serverKey().length);
        assertArrayEquals(k.storedKey(), ScramCredentials.derive(ScramHash.SHA_256, "pencil".toCharArray(), k.salt(), 4096).storedKey());
    }
}
