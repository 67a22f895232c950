package io.xmppgrid.ra;

import io.xmppgrid.xmpp.Jid;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * XEP-0198 resumption ids that name the node that issued them and cannot be forged or guessed (issue 20): {@code
 * NODE.RANDOM.MAC}, the node's name and 120 random bits in base64url, and an HMAC-SHA-256 (128 bits) over both and the
 * platform's bare JID under a key every node of the grid derives from the shared secret ({@code grid.secretFile}; a
 * single node without one uses a key of its own). Another node can therefore tell, without asking anyone, whether an id
 * is genuine, which platform it belongs to and which node to ask for the session; an id of another platform, or made up,
 * is refused at once.
 */
final class ResumptionIds {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    /** Longer ids are not ours (a node name of up to 255 bytes, the random part, the MAC). */
    static final int MAX_LENGTH = 400;

    private final SecretKeySpec key;
    private final String node;
    private final String nodeTag;
    private final SecureRandom random = new SecureRandom();

    ResumptionIds(byte[] key, String node) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.node = node;
        this.nodeTag = B64.encodeToString(node.getBytes(StandardCharsets.UTF_8));
    }

    /** A new id for a session of {@code bare} on this node. */
    String issue(Jid bare) {
        byte[] r = new byte[15];
        random.nextBytes(r);
        String body = nodeTag + "." + B64.encodeToString(r);
        return body + "." + B64.encodeToString(mac(body, bare));
    }

    /** The node that issued {@code id} for {@code bare}, or null when the id is not a genuine one of that platform. */
    String issuer(String id, Jid bare) {
        if (id == null || id.length() > MAX_LENGTH) {
            return null;
        }
        int last = id.lastIndexOf('.');
        int first = id.indexOf('.');
        if (first <= 0 || last <= first) {
            return null;
        }
        try {
            // compared as text: base64 has several spellings of the same bytes, an id has one
            byte[] expected = B64.encodeToString(mac(id.substring(0, last), bare)).getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(expected, id.substring(last + 1).getBytes(StandardCharsets.UTF_8))) {
                return null;
            }
            return new String(B64D.decode(id.substring(0, first)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    String node() {
        return node;
    }

    private byte[] mac(String body, Jid bare) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(body.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            byte[] full = m.doFinal(bare.bare().toString().getBytes(StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(full, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
