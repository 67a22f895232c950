package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.PeerAdmin;
import io.xmppgrid.ejb.PlatformAdmin;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/**
 * Peer grids (issue 24): the configured peers with their CAs' fingerprints, pin, role and state;
 * add or change one (its CA as PEM), revoke, enable, remove. Every action is audited.
 */
@Named
@ViewScoped
public class PeersView implements Serializable {
    private static final long serialVersionUID = 1L;

    @EJB
    private PeerAdmin peers;

    @EJB
    private PlatformAdmin admin;

    @EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    @Inject
    private Console console;

    private String domain;
    private String caPem;
    private String pin;
    private String role;
    private String description;
    private String address;

    public List<PeerAdmin.PeerView> getPeers() {
        return peers.peers();
    }

    /** The links of every node: node, domain, direction, connection, address, since, authenticated, stanzas. */
    public List<String[]> getLinks() {
        return cluster.peerLinks();
    }

    public List<String> getRoles() {
        return admin.roles().stream().map(PlatformAdmin.RoleView::name).toList();
    }

    /** Fills the form with a peer, to change it (its CA is given again). */
    public void edit(String peer) {
        PeerAdmin.PeerView p = peers.peer(peer);
        domain = p.domain();
        pin = p.pin();
        role = p.role();
        description = p.description();
        address = p.address();
        caPem = null;
    }

    public void save() {
        String d = domain == null ? "" : domain.strip();
        if (console.act("admin.peer.save", d, "role " + (role == null || role.isBlank() ? "none" : role),
                () -> peers.save(d, caPem, pin, role, description, address), "Peer grid " + d + " saved") != null) {
            caPem = null;
        }
    }

    public void revoke(String peer) {
        console.act("admin.peer.revoke", peer, null, () -> peers.revoke(peer),
                "Peer grid " + peer + " revoked; its links end on every node");
    }

    public void enable(String peer) {
        console.act("admin.peer.enable", peer, null, () -> peers.enable(peer), "Peer grid " + peer + " enabled");
    }

    /** A link from this node to the peer, reported (the audit log keeps the outcome). */
    public void probe(String peer) {
        io.xmppgrid.ra.api.PeerProbe p = console.act("admin.peer.probe", peer, null, () -> peers.probe(peer), null);
        if (p == null) {
            return;
        }
        if (p.ok()) {
            console.info("Link to " + peer + " at " + p.address() + ": authenticated both ways (" + p.tlsProtocol() + ", "
                    + p.millis() + " ms)");
        } else {
            console.error("Link to " + peer + " at " + p.address() + " failed at " + p.stage() + ": " + p.detail());
        }
    }

    public void remove(String peer) {
        console.act("admin.peer.delete", peer, null, () -> {
            peers.remove(peer);
            return Boolean.TRUE;
        }, "Peer grid " + peer + " removed; its links end on every node");
    }

    public String getDomain() { return domain; }
    public void setDomain(String v) { domain = v; }
    public String getCaPem() { return caPem; }
    public void setCaPem(String v) { caPem = v; }
    public String getPin() { return pin; }
    public void setPin(String v) { pin = v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
    public String getAddress() { return address; }
    public void setAddress(String v) { address = v; }
    public String getDescription() { return description; }
    public void setDescription(String v) { description = v; }
}
