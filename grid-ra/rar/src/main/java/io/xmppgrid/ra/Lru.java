package io.xmppgrid.ra;

import java.util.LinkedHashMap;
import java.util.Map;

/** Tables keyed by what peers send are bounded: past {@code max} entries the least recently used one is forgotten. */
final class Lru {

    private Lru() {
    }

    /** An access-ordered map of at most {@code max} entries (not synchronized). */
    static <K, V> LinkedHashMap<K, V> of(int max) {
        return new LinkedHashMap<>(Math.min(max, 1024), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}
