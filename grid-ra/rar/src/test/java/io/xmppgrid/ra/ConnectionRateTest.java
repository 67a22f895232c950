package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Issue 18 §9 (handshake churn): new connections per address per second, as a token bucket. */
class ConnectionRateTest {

    @Test
    void aBurstThenTheRate() {
        ConnectionRate r = new ConnectionRate(10, 30);
        long t = 1_000_000_000L;
        for (int i = 0; i < 30; i++) {
            assertTrue(r.allow("192.0.2.1", t), "the burst: " + i);
        }
        assertFalse(r.allow("192.0.2.1", t), "beyond the burst");
        assertTrue(r.allow("192.0.2.2", t), "another address has its own");
        assertTrue(r.allow("192.0.2.1", t + 100_000_000L), "a tenth of a second later: one more");
        assertFalse(r.allow("192.0.2.1", t + 100_000_000L));
        assertFalse(r.allow("192.0.2.1", t + 150_000_000L), "refused attempts do not fill the bucket faster");
        assertTrue(r.allow("192.0.2.1", t + 10_000_000_000L), "refilled");
    }

    @Test
    void zeroIsUnlimitedAndTheTableIsBounded() {
        ConnectionRate unlimited = new ConnectionRate(0, 0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(unlimited.allow("192.0.2.1", 0));
        }
        ConnectionRate r = new ConnectionRate(1, 1);
        assertTrue(r.allow("victim", 0));
        assertFalse(r.allow("victim", 0));
        for (int i = 0; i < ConnectionRate.ADDRESSES - 1; i++) {
            r.allow("a" + i, 0);
        }
        assertFalse(r.allow("victim", 0), "other addresses did not erase the victim's bucket");
    }
}
