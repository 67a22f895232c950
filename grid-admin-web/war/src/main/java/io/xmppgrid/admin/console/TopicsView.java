package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.TopicAdmin;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/** Topics with configuration, owners, subscribers and pending approvals; approve, deny, change affiliations. */
@Named
@ViewScoped
public class TopicsView implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int PAGE = 25;

    @EJB
    private TopicAdmin topics;

    @Inject
    private Console console;

    private int offset;
    private String search;
    private transient TopicAdmin.TopicPage page;
    private String affTopic;
    private String affJid;
    private String affiliation = "publisher";

    private TopicAdmin.TopicPage page() {
        if (page == null) {
            page = topics.topics(search, offset, PAGE);
        }
        return page;
    }

    public List<TopicAdmin.TopicView> getTopics() {
        return page().topics();
    }

    public String getRange() {
        int total = page().total();
        return total == 0 ? "none" : (offset + 1) + "–" + Math.min(total, offset + PAGE) + " of " + total;
    }

    public void find() {
        offset = 0;
        page = null;
    }

    public String getSearch() { return search; }
    public void setSearch(String v) { search = v; }

    public void next() {
        if (offset + PAGE < page().total()) {
            offset += PAGE;
        }
        page = null;
    }

    public void previous() {
        offset = Math.max(0, offset - PAGE);
        page = null;
    }

    public void approve(String topic, String jid) {
        console.act("admin.topic.approve", topic, jid, () -> {
            topics.decideSubscription(topic, jid, true);
            return Boolean.TRUE;
        }, "Subscription of " + jid + " to " + topic + " approved");
        page = null;
    }

    public void deny(String topic, String jid) {
        console.act("admin.topic.deny", topic, jid, () -> {
            topics.decideSubscription(topic, jid, false);
            return Boolean.TRUE;
        }, "Subscription of " + jid + " to " + topic + " denied");
        page = null;
    }

    public void setAffiliationNow() {
        console.act("admin.topic.affiliation", affTopic, affJid + "=" + affiliation, () -> {
            topics.setAffiliation(affTopic, affJid, affiliation);
            return Boolean.TRUE;
        }, "Affiliation of " + affJid + " with " + affTopic + " set to " + affiliation);
        page = null;
    }

    public List<String> getAffiliations() {
        return List.of("owner", "publisher", "publish-only", "member", "none", "outcast");
    }

    public String getAffTopic() { return affTopic; }
    public void setAffTopic(String v) { affTopic = v; }
    public String getAffJid() { return affJid; }
    public void setAffJid(String v) { affJid = v; }
    public String getAffiliation() { return affiliation; }
    public void setAffiliation(String v) { affiliation = v; }
}
