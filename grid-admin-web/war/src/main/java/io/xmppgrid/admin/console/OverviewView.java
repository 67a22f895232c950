package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.PlatformAdmin;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.ejb.cluster.ClusterBus;
import io.xmppgrid.ejb.history.TrafficHistory;
import jakarta.faces.context.FacesContext;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overview: platforms per state, live sessions on this node, the traffic of the last hour or day (every node's,
 * and their sum when there are several; {@code ?range=day}), and the last day's alerts.
 */
@Named
@RequestScoped
public class OverviewView {

    @EJB
    private PlatformAdmin platforms;

    @EJB
    private AuditLog audit;

    @EJB
    private ClusterBus cluster;

    private final Map<String, Long> states = new LinkedHashMap<>();
    private long sessions;
    private List<AuditEntry> alerts;
    private boolean day;
    private List<String> charts;

    @PostConstruct
    void load() {
        for (String s : List.of("enabled", "pending", "disabled", "revoked")) {
            states.put(s, platforms.platforms(null, s, 0, 1).total());
        }
        sessions = platforms.sessionCount();
        alerts = audit.alerts(Instant.now().minus(Duration.ofDays(1)), 50);
        day = "day".equals(FacesContext.getCurrentInstance().getExternalContext().getRequestParameterMap().get("range"));
        List<TrafficHistory.Snapshot> nodes = cluster.history(day, null);
        charts = new ArrayList<>();
        for (int i = 0; i < TrafficHistory.NAMES.size(); i++) {
            charts.add(SvgChart.render(TrafficHistory.NAMES.get(i), nodes, i));
        }
    }

    /** The traffic charts, as inline SVG (server-rendered, no script). */
    public List<String> getCharts() {
        return charts;
    }

    public boolean isDay() {
        return day;
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
