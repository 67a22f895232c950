package io.xmppgrid.core.admin;

import io.xmppgrid.xmpp.Jid;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * XEP-0050 session ids that need no server-side state: each names its command, its requester
 * and when it expires, under an HMAC with a key of this process, or the key the cluster shares when
 * one is given (so that the next step of a command may reach another node). A forged or altered id,
 * one of another requester or command, is refused; an old one has expired.
 */
final class CommandSessions {

    enum Check { OK, BAD, EXPIRED }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] KEY = new byte[32];
    static final long LIFETIME_SECONDS = 600;

    static {
        RANDOM.nextBytes(KEY);
    }

    private final Clock clock;
    private final byte[] key;

    CommandSessions(Clock clock) {
        this(clock, null);
    }

    /** @param sharedKey the cluster's key (at least 32 bytes), or null for this process's random one */
    CommandSessions(Clock clock, byte[] sharedKey) {
        this.clock = clock;
        this.key = sharedKey == null ? KEY : sharedKey.clone();
    }

    String open(String node, Jid requester) {
        byte[] r = new byte[12];
        RANDOM.nextBytes(r);
        String head = Base64.getUrlEncoder().withoutPadding().encodeToString(r) + "."
                + (clock.instant().getEpochSecond() + LIFETIME_SECONDS);
        return head + "." + mac(head, node, requester);
    }

    Check check(String sessionId, String node, Jid requester) {
        String[] p = sessionId.split("\\.");
        if (p.length != 3 || sessionId.length() > 200) {
            return Check.BAD;
        }
        String head = p[0] + "." + p[1];
        if (!MessageDigest.isEqual(mac(head, node, requester).getBytes(StandardCharsets.US_ASCII),
                p[2].getBytes(StandardCharsets.US_ASCII))) {
            return Check.BAD;
        }
        long expires;
        try {
            expires = Long.parseLong(p[1]);
        } catch (NumberFormatException e) {
            return Check.BAD;
        }
        return clock.instant().getEpochSecond() > expires ? Check.EXPIRED : Check.OK;
    }

    private String mac(String head, String node, Jid requester) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] h = m.doFinal((head + "\n" + node + "\n" + requester).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
