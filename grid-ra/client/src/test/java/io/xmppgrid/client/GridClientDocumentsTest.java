package io.xmppgrid.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.client.cli.GridClientCli;
import io.xmppgrid.iodef.IodefSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the client does with documents before anything reaches the network (issue 21). */
class GridClientDocumentsTest {

    static final String IODEF = "<IODEF-Document version=\"2.00\" xml:lang=\"en\" xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">"
            + "<Incident purpose=\"reporting\" restriction=\"private\"><IncidentID name=\"csirt.example.com\">1</IncidentID>"
            + "<GenerationTime>2026-12-01T09:00:00Z</GenerationTime><Contact role=\"creator\" type=\"organization\">"
            + "<ContactName>CSIRT</ContactName><Email><EmailTo>csirt@example.com</EmailTo></Email></Contact>"
            + "</Incident></IODEF-Document>";

    @Test
    void theXmlDeclarationAndByteOrderMarkAreDroppedAndTheRootNamespaceRead() throws Exception {
        String e = GridClient.element("\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n  " + IODEF + "\n");
        assertEquals(IODEF, e);
        assertEquals(IodefSchema.NAMESPACE, GridClient.rootNamespace(e));
        assertEquals("invalid-payload", assertThrows(GridClientException.class, () -> GridClient.element("just text")).condition());
        assertEquals("invalid-payload", assertThrows(GridClientException.class,
                () -> GridClient.rootNamespace("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>")).condition(),
                "a DTD is refused");
    }

    @Test
    void theSameSchemaAsTheBrokerDecides() {
        assertNull(IodefSchema.INSTANCE.problem(IODEF), "RFC 7970 valid");
        String problem = IodefSchema.INSTANCE.problem(IODEF.replace("<GenerationTime>", "<Bogus/><GenerationTime>"));
        assertTrue(problem != null && problem.startsWith("IODEF 2.0 schema: "), problem);
    }

    @Test
    void standardInputIsSplitIntoOneDocumentPerTopLevelElementWithItsNamespaces() throws Exception {
        String two = "<?xml version=\"1.0\"?>\n" + IODEF + "\n<!-- between -->\n<?xml version=\"1.0\"?>"
                + "<p:x xmlns:p=\"urn:p\" a=\"1\"><![CDATA[<raw>]]><p:y/></p:x>";
        List<String> docs = GridClientCli.documents(two, "test");
        assertEquals(2, docs.size());
        assertEquals(IodefSchema.NAMESPACE, GridClient.rootNamespace(docs.get(0)));
        assertNull(IodefSchema.INSTANCE.problem(docs.get(0)), "the copy is still valid: " + docs.get(0));
        assertEquals("urn:p", GridClient.rootNamespace(docs.get(1)));
        assertTrue(docs.get(1).contains("&lt;raw&gt;") && docs.get(1).contains("a=\"1\""), docs.get(1));
        assertEquals("invalid-payload", assertThrows(GridClientException.class,
                () -> GridClientCli.documents("<a/>text<b/>", "test")).condition());
        assertEquals("invalid-payload", assertThrows(GridClientException.class,
                () -> GridClientCli.documents("<a>", "test")).condition());
    }

    @Test
    void notificationsAreOneJsonObjectPerLine() {
        String line = GridClientCli.json(new Notification("t\"1", "id\n2", "p@grid.local", "<x a=\"1\">\u2028\n</x>",
                Instant.parse("2026-12-07T10:00:00Z")));
        assertEquals("{\"topic\":\"t\\\"1\",\"id\":\"id\\n2\",\"publisher\":\"p@grid.local\",\"delay\":\"2026-12-07T10:00:00Z\",\"payload\":\"<x a=\\\"1\\\">\\u2028\\n</x>\"}",
                line);
        assertTrue(line.lines().count() == 1);
    }

    @Test
    void badUsageIsStatusTwoAndSecretsAreNeverArguments() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[0]);
        assertEquals(2, GridClientCli.run(new String[0], o, e, in));
        assertEquals(2, GridClientCli.run(new String[] {"--password", "x", "topics"}, o, e, in));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("never taken from the command line"));
        assertEquals(2, GridClientCli.run(new String[] {"frobnicate"}, o, e, in));
        assertEquals(2, GridClientCli.run(new String[] {"items", "t", "--max", "0", "--user", "u"}, o, e, in));
    }
}
