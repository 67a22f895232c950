package io.xmppgrid.security;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xmppgrid.xmpp.Jid;
import java.util.Set;

/**
 * Issue 18, fuzzing: SCRAM's client messages (RFC 5802 §7) and JIDs (RFC 7622) as a hostile client would send them,
 * before authentication. A client-first and a client-final of arbitrary bytes end in a {@link SaslFailure} (the SASL
 * failure the client gets) or in the exchange's next step, a JID in a JID or an {@link IllegalArgumentException};
 * any other exception is a finding. Fuzzed for a short fixed time in {@code mvn verify} (README, "Fuzzing").
 */
class ScramServerFuzzTest {

    private static final byte[] SECRET = new byte[32];

    @FuzzTest(maxDuration = "10s")
    void clientMessagesEndInAFailureOrTheNextStep(FuzzedDataProvider data) {
        boolean plus = data.consumeBoolean();
        ScramServer s = new ScramServer(ScramHash.SHA_256, plus, true, Set.of("tls-exporter", "tls-server-end-point"),
                t -> new byte[32], SECRET);
        try {
            ScramServer.ClientFirst cf = s.clientFirst(data.consumeBytes(data.consumeInt(0, 2048)));
            if (cf.username() == null) {
                throw new IllegalStateException("a client-first without a username was accepted");
            }
            s.serverFirst(null, cf.username()); // an unknown user: simulated
            s.clientFinal(data.consumeRemainingAsBytes());
            throw new IllegalStateException("a simulated exchange succeeded");
        } catch (SaslFailure refused) {
            // what the client gets
        }
        try {
            Jid.parse(data.consumeString(3100));
        } catch (IllegalArgumentException refused) {
            // not a JID
        }
    }
}
