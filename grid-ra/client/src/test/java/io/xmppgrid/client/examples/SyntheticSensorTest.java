package io.xmppgrid.client.examples;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.xmppgrid.iodef.IodefSchema;
import org.junit.jupiter.api.Test;

/** The README's sensor example publishes what the broker accepts (RFC 7970). */
class SyntheticSensorTest {

    @Test
    void itsIncidentsAreValidIodef() {
        for (int i = 1; i <= 20; i++) {
            assertNull(IodefSchema.INSTANCE.problem(SyntheticSensor.incident(i)));
        }
    }
}
