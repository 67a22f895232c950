package io.xmppgrid.core.pubsub;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A role template (RFC 8600 §8.3.2 "functional templates"): the privileges a kind of platform
 * needs, as grants, enforced on every broker operation in addition to XEP-0060 affiliations.
 * Its text form is one grant a line (or separated by {@code ;}), e.g. {@code PUBLISH own}, {@code PUBLISH type=urn:example:dhcp},
 * {@code SUBSCRIBE}, {@code ALL}.
 */
public record RoleTemplate(String name, String description, List<Grant> grants) {

    public RoleTemplate {
        grants = List.copyOf(grants);
    }

    /**
     * One privilege: an action (or every action), optionally only on Topics the platform owns,
     * optionally only on Topics whose {@code pubsub#type} is one of {@code payloadTypes}.
     */
    public record Grant(ActorPolicy.Action action, boolean ownTopicsOnly, Set<String> payloadTypes) {

        public Grant {
            payloadTypes = Set.copyOf(payloadTypes);
        }

        boolean allows(ActorPolicy.Action a, boolean owner, String payloadType) {
            return (action == null ? a != ActorPolicy.Action.ADMINISTER : action == a) && (!ownTopicsOnly || owner)
                    && (payloadTypes.isEmpty() || (payloadType != null && payloadTypes.contains(payloadType)));
        }

        /** {@code ACTION [own] [type=T1,T2]}, {@code ALL} for every action. */
        public static Grant parse(String line) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                throw new IllegalArgumentException("empty grant");
            }
            ActorPolicy.Action action;
            if (words[0].equalsIgnoreCase("ALL")) {
                action = null;
            } else {
                try {
                    action = ActorPolicy.Action.valueOf(words[0].toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown action " + words[0] + " (one of ALL, "
                            + List.of(ActorPolicy.Action.values()) + ")");
                }
            }
            boolean own = false;
            Set<String> types = new LinkedHashSet<>();
            for (int i = 1; i < words.length; i++) {
                if (words[i].equalsIgnoreCase("own")) {
                    own = true;
                } else if (words[i].startsWith("type=") && words[i].length() > 5) {
                    for (String t : words[i].substring(5).split(",")) {
                        if (!t.isEmpty()) {
                            types.add(t);
                        }
                    }
                } else {
                    throw new IllegalArgumentException("unknown qualifier " + words[i] + " (own, type=T1,T2)");
                }
            }
            return new Grant(action, own, types);
        }

        public String format() {
            StringBuilder sb = new StringBuilder(action == null ? "ALL" : action.name());
            if (ownTopicsOnly) {
                sb.append(" own");
            }
            if (!payloadTypes.isEmpty()) {
                sb.append(" type=").append(String.join(",", new java.util.TreeSet<>(payloadTypes)));
            }
            return sb.toString();
        }
    }

    /** The grants, one a line, as stored and shown. */
    public static List<Grant> parseGrants(String text) {
        List<Grant> out = new ArrayList<>();
        for (String line : text.split("[;\\r\\n]+")) {
            if (!line.isBlank()) {
                out.add(Grant.parse(line));
            }
        }
        return out;
    }

    public String formatGrants() {
        StringBuilder sb = new StringBuilder();
        for (Grant g : grants) {
            sb.append(g.format()).append('\n');
        }
        return sb.toString();
    }

    /** Null when some grant allows it; otherwise why not. */
    public String refuses(ActorPolicy.Action action, String node, String payloadType, boolean owner) {
        for (Grant g : grants) {
            if (g.allows(action, owner, payloadType)) {
                return null;
            }
        }
        return "role " + name + " does not allow " + action.name().toLowerCase(Locale.ROOT) + " on " + node
                + (owner ? "" : " (not its own Topic)") + (payloadType == null ? "" : " (payload type " + payloadType + ")");
    }
}
