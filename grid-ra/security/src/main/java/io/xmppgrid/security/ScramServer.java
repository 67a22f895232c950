package io.xmppgrid.security;

import io.xmppgrid.ra.api.PlatformCredentials.ScramKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The server side of one SCRAM exchange (RFC 5802 §5, RFC 7677), with channel binding for the
 * -PLUS variants (RFC 5929 tls-server-end-point, RFC 9266 tls-exporter).
 *
 * <p>Use: {@link #clientFirst(byte[])} parses the client's first message and tells the caller
 * whose credentials to fetch; {@link #serverFirst(ScramKeys)} answers (with credentials that
 * are simulated when the user is unknown, so that a failure reveals nothing about which
 * usernames exist); {@link #clientFinal(byte[])} verifies the proof and returns the server's
 * final message. Any violation throws {@link SaslFailure}. Instances are single-use.
 */
public final class ScramServer {

    /** Supplies channel-binding data for a binding type, or null when the type is not available. */
    @FunctionalInterface
    public interface ChannelBindings {
        byte[] data(String type);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_MESSAGE = 4096;

    private final ScramHash hash;
    private final boolean plus;
    private final boolean serverOffersPlus;
    private final ChannelBindings bindings;
    private final Set<String> bindingTypes;
    private final byte[] simulationSecret;

    private String gs2Header;
    private String cbType;
    private String username;
    private String authzid;
    private String clientFirstBare;
    private String nonce;
    private String serverFirst;
    private ScramKeys keys;
    private boolean simulated;
    private boolean done;
    /** Tests only: a fixed server nonce part, to replay published test vectors. */
    String fixedNonceSuffix;

    /**
     * @param plus             whether this is the -PLUS mechanism
     * @param serverOffersPlus whether the server advertised a -PLUS mechanism on this stream
     *                         (a client sending gs2 flag "y" then signals a downgrade)
     * @param bindingTypes     the channel-binding types this stream supports
     * @param simulationSecret a server secret used to simulate credentials for unknown users
     */
    public ScramServer(ScramHash hash, boolean plus, boolean serverOffersPlus, Set<String> bindingTypes,
                       ChannelBindings bindings, byte[] simulationSecret) {
        this.hash = hash;
        this.plus = plus;
        this.serverOffersPlus = serverOffersPlus;
        this.bindingTypes = Set.copyOf(bindingTypes);
        this.bindings = bindings;
        this.simulationSecret = simulationSecret.clone();
    }

    public String mechanism() {
        return hash.mechanism() + (plus ? "-PLUS" : "");
    }

    /** The parsed client-first message: whose credentials the caller must look up. */
    public record ClientFirst(String username, String authzid) {
    }

    public ClientFirst clientFirst(byte[] message) throws SaslFailure {
        if (message == null || message.length == 0) {
            throw SaslFailure.malformed("empty client-first-message");
        }
        String m = utf8(message);
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int c1 = m.indexOf(',');
        int c2 = c1 < 0 ? -1 : m.indexOf(',', c1 + 1);
        if (c1 < 0 || c2 < 0) {
            throw SaslFailure.malformed("no GS2 header");
        }
        String flag = m.substring(0, c1);
        String authz = m.substring(c1 + 1, c2);
        if (flag.startsWith("p=")) {
            if (!plus) {
                throw SaslFailure.malformed("channel binding requested with a non-PLUS mechanism");
            }
            cbType = flag.substring(2);
            if (!bindingTypes.contains(cbType)) {
                throw SaslFailure.notAuthorized("unsupported channel-binding type " + cbType);
            }
        } else if (flag.equals("n") || flag.equals("y")) {
            if (plus) {
                throw SaslFailure.malformed("-PLUS mechanism without channel binding");
            }
            if (flag.equals("y") && serverOffersPlus) {
                // RFC 5802 §6: the client supports channel binding and thinks we do not: a downgrade.
                throw SaslFailure.notAuthorized("gs2 flag 'y' although channel binding was offered");
            }
        } else {
            throw SaslFailure.malformed("bad gs2-cbind-flag");
        }
        if (!authz.isEmpty()) {
            if (!authz.startsWith("a=")) {
                throw SaslFailure.malformed("bad authzid field");
            }
            authzid = decodeSaslName(authz.substring(2));
        }
        gs2Header = m.substring(0, c2 + 1);
        clientFirstBare = m.substring(c2 + 1);
        if (clientFirstBare.startsWith("m=")) {
            throw SaslFailure.malformed("mandatory extension not supported");
        }
        String[] parts = clientFirstBare.split(",", -1);
        if (parts.length < 2 || !parts[0].startsWith("n=") || !parts[1].startsWith("r=")) {
            throw SaslFailure.malformed("client-first-message-bare must start with n= and r=");
        }
        username = decodeSaslName(parts[0].substring(2));
        String clientNonce = parts[1].substring(2);
        if (username.isEmpty() || clientNonce.isEmpty() || !printable(clientNonce)) {
            throw SaslFailure.malformed("empty username or bad nonce");
        }
        if (fixedNonceSuffix != null) {
            nonce = clientNonce + fixedNonceSuffix;
        } else {
            byte[] sn = new byte[24];
            RANDOM.nextBytes(sn);
            nonce = clientNonce + Base64.getEncoder().encodeToString(sn);
        }
        return new ClientFirst(username, authzid);
    }

    /**
     * Answers with salt and iteration count. {@code credentials} null means the user is
     * unknown, disabled or has no key for this hash: the exchange goes on with simulated
     * values and fails at the proof.
     */
    public byte[] serverFirst(ScramKeys credentials) {
        return serverFirst(credentials, username);
    }

    /**
     * As {@link #serverFirst(ScramKeys)}, simulating for {@code account}: the name as accounts are looked up (the
     * normalised localpart), so that spellings of one name that reach one account get one simulated salt, as they
     * would get one real salt (nothing tells a known name from an unknown one).
     */
    public byte[] serverFirst(ScramKeys credentials, String account) {
        return serverFirst(credentials, account, java.util.Map.of());
    }

    /**
     * As {@link #serverFirst(ScramKeys, String)}, with the iteration counts that accounts of this hash keep and how
     * many keep each ({@code inUse}): a simulated name gets one of them, the same one every time, chosen with the
     * weights the accounts give, so a name's iteration count tells nothing either (real accounts keep the count they
     * were created with, which differs from the current setting once an operator changes it). Empty: the current
     * setting.
     */
    public byte[] serverFirst(ScramKeys credentials, String account, java.util.Map<Integer, Long> inUse) {
        if (credentials == null || !credentials.hash().equals(hash.digestName())) {
            simulated = true;
            byte[] fakeSalt = java.util.Arrays.copyOf(hash.hmac(simulationSecret, "salt:" + account), 16);
            keys = new ScramKeys(hash.digestName(), fakeSalt, simulatedIterations(inUse, account),
                    hash.hmac(simulationSecret, "stored:" + account), hash.hmac(simulationSecret, "server:" + account));
        } else {
            keys = credentials;
        }
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(keys.salt()) + ",i=" + keys.iterations();
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    private int simulatedIterations(java.util.Map<Integer, Long> inUse, String account) {
        long total = 0;
        for (long n : inUse.values()) {
            total += Math.max(0, n);
        }
        if (total <= 0) {
            return ScramCredentials.iterations();
        }
        long pick = Long.remainderUnsigned(java.nio.ByteBuffer.wrap(hash.hmac(simulationSecret, "iterations:" + account))
                .getLong(), total);
        for (java.util.Map.Entry<Integer, Long> e : new java.util.TreeMap<>(inUse).entrySet()) {
            pick -= Math.max(0, e.getValue());
            if (pick < 0) {
                return e.getKey();
            }
        }
        return ScramCredentials.iterations();
    }

    /** Verifies the client's proof; returns the server-final-message ({@code v=...}). */
    public byte[] clientFinal(byte[] message) throws SaslFailure {
        if (serverFirst == null || done) {
            throw SaslFailure.malformed("unexpected client-final-message");
        }
        done = true;
        String m = utf8(message);
        int p = m.lastIndexOf(",p=");
        if (p < 0) {
            throw SaslFailure.malformed("no proof");
        }
        String withoutProof = m.substring(0, p);
        String[] parts = withoutProof.split(",", -1);
        if (parts.length < 2 || !parts[0].startsWith("c=") || !parts[1].startsWith("r=")) {
            throw SaslFailure.malformed("client-final-message must start with c= and r=");
        }
        byte[] cbind;
        byte[] proof;
        try {
            cbind = Base64.getDecoder().decode(parts[0].substring(2));
            proof = Base64.getDecoder().decode(m.substring(p + 3));
        } catch (IllegalArgumentException e) {
            throw SaslFailure.malformed("bad base64 in client-final-message");
        }
        if (!MessageDigest.isEqual(parts[1].substring(2).getBytes(StandardCharsets.UTF_8),
                nonce.getBytes(StandardCharsets.UTF_8))) {
            throw SaslFailure.notAuthorized("nonce mismatch");
        }
        byte[] expectedCbind = expectedChannelBinding();
        if (!MessageDigest.isEqual(cbind, expectedCbind)) {
            throw SaslFailure.notAuthorized("channel binding mismatch");
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = hash.hmac(keys.storedKey(), authMessage);
        if (proof.length != clientSignature.length) {
            throw SaslFailure.notAuthorized("proof of wrong length");
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        boolean ok = MessageDigest.isEqual(hash.hash(clientKey), keys.storedKey());
        if (!ok || simulated) {
            throw SaslFailure.notAuthorized(simulated ? "unknown user or no credential" : "wrong proof");
        }
        byte[] serverSignature = hash.hmac(keys.serverKey(), authMessage);
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] expectedChannelBinding() throws SaslFailure {
        byte[] header = gs2Header.getBytes(StandardCharsets.UTF_8);
        if (cbType == null) {
            return header;
        }
        byte[] data = bindings.data(cbType);
        if (data == null) {
            throw SaslFailure.notAuthorized("channel-binding data unavailable for " + cbType);
        }
        byte[] out = new byte[header.length + data.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(data, 0, out, header.length, data.length);
        return out;
    }

    public String username() {
        return username;
    }

    public String authzid() {
        return authzid;
    }

    public String channelBindingType() {
        return cbType;
    }

    private static String decodeSaslName(String s) throws SaslFailure {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',') {
                throw SaslFailure.malformed("unescaped comma in saslname");
            }
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    sb.append(',');
                } else if (s.startsWith("=3D", i)) {
                    sb.append('=');
                } else {
                    throw SaslFailure.malformed("bad escape in saslname");
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                return false;
            }
        }
        return true;
    }

    private static String utf8(byte[] b) throws SaslFailure {
        if (b.length > MAX_MESSAGE) {
            throw SaslFailure.malformed("SCRAM message too long");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw SaslFailure.malformed("SCRAM message is not UTF-8");
        }
    }
}
