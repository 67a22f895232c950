package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Self-registration with approval (XEP-0077 in-band registration, like pxGrid's account approval;
 * switched on in the test server with {@code grid.registration=true}): a platform registers over
 * TLS before authenticating, is pending and cannot log in, and logs in once an administrator has
 * approved it. Bounded per address; recorded.
 */
@ExtendWith(ArquillianExtension.class)
class RegistrationIT {

    private static final String REG = "jabber:iq:register";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String register(RawXmpp x, String user, String password) throws Exception {
        x.send("<iq type='set' id='r'><query xmlns='" + REG + "'><username>" + user + "</username><password>" + password
                + "</password></query></iq>");
        return x.nextStanza(WAIT);
    }

    @Test // XEP-0077 §3.1 (feature, form, registration), §3.1 ex. 7 (conflict), ex. 8 (not-acceptable)
    void aPlatformRegistersWaitsForApprovalThenLogsIn() throws Exception {
        String name = Grid.uniqueName("selfreg");
        String password = "self-registered-1";
        try (RawXmpp x = RawXmpp.secured()) {
            assertTrue(x.lastFeatures().contains("<register xmlns=\"http://jabber.org/features/iq-register\"/>"),
                    x.lastFeatures());
            x.send("<iq type='get' id='f'><query xmlns='" + REG + "'/></iq>");
            String form = x.nextStanza(WAIT);
            assertTrue(form.contains("type=\"result\"") && form.contains("<username/>") && form.contains("<password/>"), form);
            String shortPw = register(x, name, "short");
            assertTrue(shortPw.contains("<not-acceptable"), shortPw);
            String ok = register(x, name, password);
            assertTrue(ok.contains("type=\"result\""), ok);
            String second = register(x, Grid.uniqueName("again"), password);
            assertTrue(second.contains("<resource-constraint"), "one registration per stream: " + second);
        }
        try (RawXmpp x = RawXmpp.secured()) {
            String taken = register(x, name, password);
            assertTrue(taken.contains("<conflict"), taken);
        }
        String listed = Grid.api("GET", "/platforms?q=" + name, null).out();
        assertTrue(listed.contains("\"state\":\"pending\"") && listed.contains("\"role\":null"), listed);
        assertThrows(AssertionError.class, () -> RawXmpp.bound(name, password).close(), "pending: no login");

        assertEquals(200, Grid.api("POST", "/platforms/" + name + "/enable", null).status(), "approved");
        RawXmpp.bound(name, password).close();

        String audit = Grid.api("GET", "/audit?action=platform.register&actor=" + name + "@grid.local", null).out();
        assertTrue(audit.contains("\"outcome\":\"pending\"") && audit.contains("\"address\":\"127.0.0.1:"), audit);
        assertTrue(audit.contains("\"outcome\":\"refused\""), "the conflict is recorded too: " + audit);
    }

    @Test // nothing but registration and SASL before authentication; no removal without logging in
    void registrationDoesNotOpenTheStream() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            x.send("<iq type='set' id='rm'><query xmlns='" + REG + "'><remove/></query></iq>");
            String r = x.nextStanza(WAIT);
            assertTrue(r.contains("<not-allowed"), r);
            x.send("<iq type='get' id='p' to='grid.local'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertTrue(x.awaitClose(WAIT).contains("<not-authorized"), "other stanzas still end the stream");
        }
    }
}
