package io.xmppgrid.ra;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 18, fuzzing: the stream parser (with its byte scan) is fed arbitrary bytes in arbitrary chunks, before and after
 * authentication's budgets. Whatever comes, it answers with events or a {@link StreamFault} (the stream error the peer
 * gets); any other exception, a hang or an out-of-memory is a finding. {@code mvn verify} fuzzes it for a short fixed
 * time ({@code JAZZER_FUZZ=1} in this module's surefire configuration) after replaying the committed inputs in
 * {@code src/test/resources/io/xmppgrid/ra/StreamParserFuzzTestInputs}; a long run: README, "Fuzzing".
 */
class StreamParserFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void anyInputEndsInEventsOrAStreamError(FuzzedDataProvider data) {
        boolean authenticated = data.consumeBoolean();
        StreamParser p = new StreamParser(authenticated ? 64 * 1024 : 16 * 1024, 32,
                authenticated ? StreamParser.MAX_DISTINCT_NAMES : StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED);
        try {
            while (data.remainingBytes() > 0 && !p.finished()) {
                byte[] chunk = data.consumeBytes(data.consumeInt(1, 1024));
                p.feed(chunk, 0, chunk.length);
                while (p.next() != null) {
                    // every event is taken, as the stream does
                }
            }
        } catch (StreamFault refused) {
            // a stream error: the one way a hostile input may end
        }
    }
}
