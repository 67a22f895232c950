package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StreamError;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium through Selenium): an administrator
 * signs in with a password and a TOTP code (RFC 6238), creates a platform, revokes a platform
 * that is connected through Smack (its stream ends with {@code <not-authorized/>} and it cannot
 * log in again, RFC 8600 §8.3.2), approves a pending subscription (XEP-0060 §8.6: the subscriber
 * is told), and finds those actions in the audit log. A screenshot of each page goes to
 * {@code target/screenshots}.
 */
@ExtendWith(ArquillianExtension.class)
class ConsoleBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String BASE = ConsoleClient.HTTPS + "/grid-admin/";
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static WebDriver browser;
    private static Path profile;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    @BeforeAll
    static void startBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        o.setAcceptInsecureCerts(true); // the test server's HTTPS certificate is WildFly's self-signed one
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anAdministratorSignsInOnboardsRevokesApprovesAndFindsItAllInTheAuditLog() throws Exception {
        ConsoleClient.Admin admin = ConsoleClient.newAdmin("ui");

        // sign in with password and TOTP
        browser.get(BASE);
        shot("01-sign-in");
        browser.findElement(By.id("username")).sendKeys(admin.name());
        browser.findElement(By.id("password")).sendKeys(admin.password());
        browser.findElement(By.id("code")).sendKeys(admin.code());
        submit(By.id("signin"));
        assertEquals("Overview", heading());
        assertEquals(admin.name(), browser.findElement(By.id("signed-in-as")).getText());
        shot("02-overview");

        // create a platform with a role template; the generated password is shown once
        String created = Grid.uniqueName("uiplat");
        submit(By.id("nav-platforms"));
        browser.findElement(By.id("create:name")).sendKeys(created);
        new Select(browser.findElement(By.id("create:role"))).selectByVisibleText("consumer");
        submit(By.id("create:create"));
        assertTrue(messages().contains("Platform " + created + "@grid.local created"), messages());
        assertTrue(browser.findElement(By.id("created-password")).getText().length() >= 20);
        shot("03-platform-created");
        assertTrue(Grid.api("GET", "/platforms/" + created + "/offline", null).status() == 200, "exists");

        // revoke a platform that is connected through Smack
        String victim = Grid.platform(Grid.uniqueName("uivictim"), "victim-password-1");
        XMPPTCPConnection live = Smack.connect(Smack.starttls(victim, "victim-password-1", Scram256Mechanism.NAME));
        CompletableFuture<Exception> closed = Smack.closedOnError(live);
        search(victim);
        WebElement row = rowOf("list:table", victim + "@grid.local");
        assertTrue(row.getText().contains("enabled"), row.getText());
        assertTrue(row.getText().contains("SCRAM"), row.getText());
        WebElement revoke = row.findElement(By.cssSelector("input[value='Revoke']"));
        long clicked = System.nanoTime();
        submit(revoke); // returns when the answer page has loaded
        long answered = System.nanoTime();
        Exception e = closed.get(10, TimeUnit.SECONDS);
        long cutMillis = (System.nanoTime() - clicked) / 1_000_000;
        assertTrue(e instanceof XMPPException.StreamErrorException, "closed by a stream error: " + e);
        assertEquals(StreamError.Condition.not_authorized, ((XMPPException.StreamErrorException) e).getStreamError().getCondition());
        assertTrue(messages().contains("Platform " + victim + " revoked; 1 live sessions ended"), messages());
        assertTrue(rowOf("list:table", victim + "@grid.local").getText().contains("revoked"));
        shot("04-platform-revoked");
        assertThrows(SASLErrorException.class,
                () -> Smack.connect(Smack.starttls(victim, "victim-password-1", Scram256Mechanism.NAME)));
        System.out.println("CONSOLE revocation: click to answer page " + (answered - clicked) / 1_000_000
                + " ms; click to the Smack session closed (seen after the page) " + cutMillis + " ms");

        // approve a pending subscription to an authorize Topic
        String owner = Topics.account("uiown");
        String subscriber = Topics.account("uisub");
        String node = Topics.node("uitopic");
        try (RawXmpp o = RawXmpp.bound(owner, Topics.PASSWORD); RawXmpp s = RawXmpp.bound(subscriber, Topics.PASSWORD)) {
            o.send("<iq type='set' to='broker.grid.local' id='c'><pubsub xmlns='" + Topics.PS + "'><create node='" + node
                    + "'/></pubsub></iq>");
            assertTrue(o.nextStanza(Topics.WAIT).contains("type=\"result\""));
            s.send("<iq type='set' to='broker.grid.local' id='s'><pubsub xmlns='" + Topics.PS + "'><subscribe node='" + node
                    + "' jid='" + subscriber + "@grid.local'/></pubsub></iq>");
            String pending = s.nextStanza(Topics.WAIT);
            assertTrue(pending.contains("subscription=\"pending\""), pending);

            submit(By.id("nav-topics"));
            browser.findElement(By.id("search:q")).sendKeys(node);
            submit(By.id("search:find"));
            WebElement topic = rowOf("list:table", node);
            assertTrue(topic.getText().contains(owner + "@grid.local"), topic.getText());
            assertTrue(topic.getText().contains(subscriber + "@grid.local"), topic.getText());
            shot("05-topics-pending");
            submit(topic.findElement(By.cssSelector("input[value='Approve']")));
            assertTrue(messages().contains("Subscription of " + subscriber + "@grid.local to " + node + " approved"), messages());
            shot("06-topics-approved");
            String told = s.nextStanza(Topics.WAIT); // XEP-0060 §8.6: the subscriber learns it is subscribed
            assertTrue(told.contains("<subscription") && told.contains("subscription=\"subscribed\""), told);
        }

        // the audit log has all of it, filtered by the administrator
        submit(By.id("nav-audit"));
        browser.findElement(By.id("filter:actor")).sendKeys(admin.name());
        submit(By.id("filter:apply"));
        String table = textOnceContains("list:table", "admin.topic.approve");
        for (String action : List.of("admin.platform.create", "admin.platform.revoke", "admin.topic.approve")) {
            assertTrue(table.contains(action), action + " missing from:\n" + table);
        }
        assertTrue(table.contains(victim) && table.contains(created) && table.contains(node), table);
        shot("07-audit-filtered");
        submit(By.id("verify:verify"));
        assertTrue(browser.findElement(By.id("verification")).getText().startsWith("Intact"),
                browser.findElement(By.id("verification")).getText());

        submit(By.id("nav-roles"));
        assertTrue(browser.findElement(By.id("list:table")).getText().contains("iodef-reporter"));
        shot("08-roles");
        // issue 24: a peer grid added with its CA, shown with the CA's fingerprint, revoked, removed
        String peer = Grid.uniqueName("uipeer") + ".example.org";
        io.xmppgrid.security.GridPki.Issued peerCa = io.xmppgrid.security.GridPki.createCa("peer CA", Duration.ofDays(30));
        submit(By.id("nav-peers"));
        browser.findElement(By.id("edit:domain")).sendKeys(peer);
        new Select(browser.findElement(By.id("edit:role"))).selectByVisibleText("consumer");
        browser.findElement(By.id("edit:ca")).sendKeys(io.xmppgrid.security.GridPki.toPem(peerCa.certificate()));
        submit(By.id("edit:save"));
        assertTrue(messages().contains("Peer grid " + peer + " saved"), messages());
        WebElement peerRow = rowOf("list:table", peer);
        assertTrue(peerRow.getText().contains(io.xmppgrid.security.PeerTrust.fingerprint(peerCa.certificate()))
                && peerRow.getText().contains("enabled") && peerRow.getText().contains("consumer"), peerRow.getText());
        shot("13-peers");
        submit(peerRow.findElement(By.cssSelector("input[value='Revoke']")));
        assertTrue(rowOf("list:table", peer).getText().contains("revoked"), rowOf("list:table", peer).getText());
        submit(rowOf("list:table", peer).findElement(By.cssSelector("input[value='Remove']")));
        assertTrue(messages().contains("Peer grid " + peer + " removed"), messages());
        assertFalse(browser.findElement(By.id("list:table")).getText().contains(peer));
        assertTrue(Grid.api("GET", "/audit?actor=" + admin.name() + "&action=admin.peer.revoke&limit=10", null).out()
                .contains(peer));

        submit(By.id("nav-admins"));
        assertTrue(rowOf("list:table", admin.name()).getText().contains("password + TOTP"));
        shot("09-administrators");

        // issue 20: the Cluster page; draining the (only) node closes its XMPP ports, serving opens them again
        submit(By.id("nav-cluster"));
        String nodes = browser.findElement(By.id("nodes:table")).getText();
        assertTrue(nodes.contains("serving") && nodes.contains(":" + Grid.STARTTLS_PORT), nodes);
        shot("10-cluster");
        // the sessions of every node: found by JID, one ended from here (wherever it is held)
        String roaming = Grid.platform(Grid.uniqueName("uiroam"), "roam-password-1");
        XMPPTCPConnection held = Smack.connect(Smack.starttls(roaming, "roam-password-1", Scram256Mechanism.NAME));
        CompletableFuture<Exception> ended = Smack.closedOnError(held);
        browser.findElement(By.id("sessions:filter")).sendKeys(roaming);
        submit(By.id("sessions:find"));
        WebElement session = rowOf("sessions:table", roaming + "@grid.local/");
        assertTrue(session.getText().contains("yes"), "available: " + session.getText());
        shot("12-cluster-sessions");
        submit(session.findElement(By.cssSelector("input[value='End']")));
        assertTrue(messages().contains("Session " + roaming + "@grid.local/"), messages());
        Exception why = ended.get(10, TimeUnit.SECONDS);
        assertTrue(why instanceof XMPPException.StreamErrorException, "ended by a stream error: " + why);
        submit(browser.findElement(By.id("nodes:table")).findElement(By.cssSelector("input[value='Drain']")));
        assertTrue(browser.findElement(By.id("nodes:table")).getText().contains("drained"),
                browser.findElement(By.id("nodes:table")).getText());
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, RawXmpp::plain, "a drained node accepts no XMPP");
        shot("11-cluster-drained");
        submit(browser.findElement(By.id("nodes:table")).findElement(By.cssSelector("input[value='Serve']")));
        assertTrue(browser.findElement(By.id("nodes:table")).getText().contains("serving"),
                browser.findElement(By.id("nodes:table")).getText());
        RawXmpp.plain().close(); // accepted again

        submit(By.id("signout"));
        assertTrue(Files.exists(SHOTS));
        assertEquals(1, browser.findElements(By.id("signin")).size(), "signed out: the sign-in form again");
        browser.get(BASE + "audit.xhtml");
        assertEquals(1, browser.findElements(By.id("signin")).size(), "and the pages are closed again");
    }

    /**
     * Issue 21: the overview charts the node's traffic (one line per node, server-rendered SVG under the strict CSP), and
     * a platform's page charts its own stanzas. A platform publishes for a while through the client library first.
     */
    @Test
    void theOverviewAndAPlatformsPageChartTheirTraffic() throws Exception {
        String name = Grid.platform(Grid.uniqueName("uichart"), "chart-password-1");
        try (io.xmppgrid.client.GridClient platform = io.xmppgrid.client.GridClient.builder(Grid.DOMAIN).host(Grid.HOST)
                .port(Grid.STARTTLS_PORT).trustCa(Grid.caPem()).password(name, "chart-password-1".toCharArray()).connect()) {
            String topic = "chart-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            platform.createTopic(topic, io.xmppgrid.iodef.IodefSchema.NAMESPACE, io.xmppgrid.client.TopicModel.WHITELIST);
            for (int i = 0; i < 24; i++) { // twelve seconds: at least two samples (every five seconds) with traffic between
                platform.publish(topic, Iodef.example("chart-" + i));
                Thread.sleep(500);
            }
            ConsoleClient.Admin admin = ConsoleClient.newAdmin("uicharts");
            browser.get(BASE);
            browser.findElement(By.id("username")).sendKeys(admin.name());
            browser.findElement(By.id("password")).sendKeys(admin.password());
            browser.findElement(By.id("code")).sendKeys(admin.code());
            submit(By.id("signin"));
            assertEquals("Overview", heading());
            List<WebElement> charts = browser.findElements(By.cssSelector("#charts svg.chart"));
            assertEquals(7, charts.size(), "sessions, stanzas in and out, deliveries, offline queue, refused logins, limits");
            WebElement stanzasIn = charts.get(1);
            assertTrue(stanzasIn.getText().contains("stanzas in/s"), stanzasIn.getText());
            List<WebElement> lines = stanzasIn.findElements(By.tagName("polyline"));
            assertTrue(!lines.isEmpty() && lines.get(0).getAttribute("points").split(" ").length >= 2,
                    "a line of at least two samples after traffic");
            assertTrue(charts.get(0).findElements(By.tagName("polyline")).size() >= 1, "live sessions drawn");
            shot("20-overview-charts");
            browser.get(BASE + "?range=day");
            assertTrue(browser.findElement(By.tagName("h2")).getText().contains("day") || browser.getPageSource().contains("Traffic of the last day"));

            submit(By.id("nav-platforms"));
            search(name);
            submit(rowOf("list:table", name + "@grid.local").findElement(By.cssSelector("input[value='Details']")));
            List<WebElement> own = browser.findElements(By.cssSelector("#platform-charts svg.chart"));
            assertEquals(2, own.size(), "its stanzas in and out");
            assertTrue(!own.get(0).findElements(By.tagName("polyline")).isEmpty(), "its own traffic is drawn");
            shot("21-platform-chart");
            submit(By.id("signout"));
        }
    }

    /** Clicks something that loads a new page, and waits until the old one is gone. */
    private static void submit(By what) {
        submit(browser.findElement(what));
    }

    private static void submit(WebElement what) {
        WebElement old = browser.findElement(By.tagName("html"));
        what.click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            try {
                old.isEnabled();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return true;
            } catch (org.openqa.selenium.WebDriverException e) {
                // Chromium may answer "Node with given id does not belong to the document" while the old page goes
                // away, instead of a stale element: the old page is gone either way
                if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                    return true;
                }
                throw e;
            }
        });
    }

    /** Each test signs in from the start: a test that failed signed in leaves no session to the next. */
    @org.junit.jupiter.api.BeforeEach
    void signedOut() {
        browser.get(BASE);
        browser.manage().deleteAllCookies();
    }

    /** The platform search (other tests' platforms fill more pages than the first). */
    private static void search(String name) {
        WebElement q = browser.findElement(By.id("search:q"));
        q.clear();
        q.sendKeys(name);
        submit(By.id("search:find"));
    }

    private static WebElement rowOf(String tableId, String text) {
        return new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("[id='" + tableId
                + "'] tbody tr")).stream().filter(r -> r.getText().contains(text)).findFirst().orElse(null));
    }

    /** The element's text once it contains {@code expected} (or after 10 s), across page reloads. */
    private static String textOnceContains(String id, String expected) {
        try {
            return new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> {
                        String t = d.findElement(By.id(id)).getText();
                        return t.contains(expected) ? t : null;
                    });
        } catch (org.openqa.selenium.TimeoutException e) {
            return browser.findElement(By.id(id)).getText();
        }
    }

    private static String heading() {
        return browser.findElement(By.tagName("h1")).getText();
    }

    private static String messages() {
        List<WebElement> m = browser.findElements(By.id("messages"));
        return m.isEmpty() ? "" : m.get(0).getText();
    }

    private static void shot(String name) throws Exception {
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
