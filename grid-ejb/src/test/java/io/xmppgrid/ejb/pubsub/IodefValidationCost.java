package io.xmppgrid.ejb.pubsub;

import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlReader;

/**
 * Not a test: what one IODEF validation costs (issue 22, "the IODEF schema validation ~0.7 ms per publish"), for a
 * 1.2 KB report, on one thread and on several. Run: {@code java -cp <grid-ejb test classpath>
 * io.xmppgrid.ejb.pubsub.IodefValidationCost [threads]}; it prints microseconds per validation after a warm-up.
 */
public final class IodefValidationCost {

    private IodefValidationCost() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        XmlElement report = XmlReader.parse("<IODEF-Document version=\"2.00\" xml:lang=\"en\" "
                + "xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\"><Incident purpose=\"reporting\" restriction=\"private\">"
                + "<IncidentID name=\"csirt.example.com\">492382</IncidentID><GenerationTime>2015-07-18T09:00:00-05:00"
                + "</GenerationTime><Description>" + "A host scanned the perimeter. ".repeat(24) + "</Description>"
                + "<Contact type=\"organization\" role=\"creator\"><Email><EmailTo>contact@csirt.example.com</EmailTo></Email>"
                + "</Contact></Incident></IODEF-Document>");
        for (int round = 0; round < 3; round++) {
            int per = 20_000;
            long start = System.nanoTime();
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < per; i++) {
                        if (IodefValidator.INSTANCE.problem(IodefValidator.IODEF_NS, report) != null) {
                            throw new IllegalStateException("the report is valid");
                        }
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            double us = (System.nanoTime() - start) / 1e3 / per; // wall time per validation per thread
            System.out.printf("round %d: %d threads, %.1f us per validation (wall, per thread), %.0f validations/s%n",
                    round, threads, us, threads * 1e6 / us);
        }
    }
}
