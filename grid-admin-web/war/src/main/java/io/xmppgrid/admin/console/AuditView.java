package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The audit log: filter by platform or administrator, action, outcome and time (UTC), page
 * through the results (newest first), export CSV or JSON, and verify the hash chain.
 */
@Named
@ViewScoped
public class AuditView implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int PAGE = 50;

    @EJB
    private AuditLog log;

    @Inject
    private Console console;

    private String actor;
    private String action;
    private String outcome;
    private String from;
    private String to;
    private Long before;
    private final Deque<Long> previous = new ArrayDeque<>();
    private transient List<AuditEntry> entries;
    private String verification;

    public List<AuditEntry> getEntries() {
        if (entries == null) {
            try {
                entries = log.search(new AuditLog.Filter(blank(actor), blank(action), blank(outcome), time(from), time(to),
                        before, PAGE));
            } catch (DateTimeParseException e) {
                console.error("Times are written 2026-11-30T14:05 (UTC)");
                entries = List.of();
            }
        }
        return entries;
    }

    public void filter() {
        before = null;
        previous.clear();
        entries = null;
    }

    public void clear() {
        actor = action = outcome = from = to = null;
        filter();
    }

    public void next() {
        List<AuditEntry> e = getEntries();
        if (e.size() == PAGE) {
            previous.push(before == null ? Long.MAX_VALUE : before);
            before = e.get(e.size() - 1).id;
            entries = null;
        }
    }

    public void newer() {
        if (!previous.isEmpty()) {
            Long b = previous.pop();
            before = b == Long.MAX_VALUE ? null : b;
            entries = null;
        }
    }

    public boolean isHasNewer() {
        return !previous.isEmpty();
    }

    public boolean isHasOlder() {
        return getEntries().size() == PAGE;
    }

    public void verify() {
        AuditLog.Verification v = log.verify();
        verification = v.intact() ? "Intact: " + v.entries() + " chained entries verified"
                + (v.anchored() == null ? " (no anchor outside the database yet)" : ", anchored outside the database up to "
                + v.anchored())
                : "BROKEN at entry " + v.brokenId() + " (chain position " + v.brokenSeq() + "): " + v.reason();
        console.act("admin.audit.verify", null, verification, () -> Boolean.TRUE, null);
    }

    /** The API query that exports what the filter shows (all pages, up to 1000 entries). */
    public String export(String format) {
        StringBuilder q = new StringBuilder("api/audit?limit=1000&download=1&format=").append(format);
        param(q, "actor", actor);
        param(q, "action", action);
        param(q, "outcome", outcome);
        try {
            Instant f = time(from);
            Instant t = time(to);
            if (f != null) {
                param(q, "from", f.toString());
            }
            if (t != null) {
                param(q, "to", t.toString());
            }
        } catch (DateTimeParseException e) {
            // shown by the search itself
        }
        return q.toString();
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null && !value.isBlank()) {
            q.append('&').append(name).append('=').append(URLEncoder.encode(value.strip(), StandardCharsets.UTF_8));
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** {@code 2026-11-30T14:05} (from a datetime-local input, UTC) or a full ISO-8601 instant. */
    private static Instant time(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.strip();
        return t.endsWith("Z") ? Instant.parse(t) : LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    }

    public String getActor() { return actor; }
    public void setActor(String v) { actor = v; }
    public String getAction() { return action; }
    public void setAction(String v) { action = v; }
    public String getOutcome() { return outcome; }
    public void setOutcome(String v) { outcome = v; }
    public String getFrom() { return from; }
    public void setFrom(String v) { from = v; }
    public String getTo() { return to; }
    public void setTo(String v) { to = v; }
    public String getVerification() { return verification; }
}
