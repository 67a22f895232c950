package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.PlatformAdmin;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The overview: platforms per state, live sessions on this node, and the last day's alerts. */
@Named
@RequestScoped
public class OverviewView {

    @EJB
    private PlatformAdmin platforms;

    @EJB
    private AuditLog audit;

    private final Map<String, Long> states = new LinkedHashMap<>();
    private long sessions;
    private List<AuditEntry> alerts;

    @PostConstruct
    void load() {
        for (String s : List.of("enabled", "pending", "disabled", "revoked")) {
            states.put(s, platforms.platforms(null, s, 0, 1).total());
        }
        sessions = platforms.sessionCount();
        alerts = audit.alerts(Instant.now().minus(Duration.ofDays(1)), 50);
    }

    public Map<String, Long> getStates() {
        return states;
    }

    public List<Map.Entry<String, Long>> getStateList() {
        return List.copyOf(states.entrySet());
    }

    public long getSessions() {
        return sessions;
    }

    public List<AuditEntry> getAlerts() {
        return alerts;
    }
}
