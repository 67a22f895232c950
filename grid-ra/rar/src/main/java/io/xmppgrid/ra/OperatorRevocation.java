package io.xmppgrid.ra;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Revocation of platforms' certificates issued by an operator's CA ({@code grid.trustStore} anchors; RFC 8600 §8.3.1,
 * issue 19 §6): the whole path is validated (RFC 5280 §6) with revocation checking, from the CRL distribution points
 * the certificates name (RFC 5280 §4.2.1.13, fetched over HTTP, at most {@link #MAX_CRL_BYTES} each, kept until their
 * nextUpdate) and else from OCSP (RFC 6960, the responder of the certificate's authority information access, through
 * the JDK's checker). Fail closed: a certificate whose status cannot be determined (no distribution point, no
 * responder, neither reachable, a stale CRL) is not accepted. Answers are kept a few minutes per certificate, so that
 * logins do not each cost a fetch. Runs on its own executor: a slow responder holds no stream worker.
 */
final class OperatorRevocation {

    /** What a certificate's revocation status is. */
    enum Status { GOOD, REVOKED, UNKNOWN }

    record Result(Status status, String why) {
    }

    /** A CRL larger than this is not read (a hostile or broken distribution point cannot fill the heap). */
    static final int MAX_CRL_BYTES = 8 * 1024 * 1024;
    /** Distribution points followed per certificate. */
    private static final int MAX_POINTS = 4;
    /** How long a status is kept: good and revoked a few minutes, unknown briefly (a responder that was down). */
    private static final long KEEP_MS = 5 * 60_000L;
    private static final long KEEP_UNKNOWN_MS = 15_000L;
    private static final int MAX_KEPT = 10_000;
    private static final int MAX_CRLS = 1_000;
    /** The CRLs kept, in bytes as fetched: past this the least recently used ones are forgotten. */
    static final long MAX_CRL_CACHE_BYTES = 64L * 1024 * 1024;

    private final Set<TrustAnchor> anchors;
    private final Executor executor;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Kept<Result>> statuses = Lru.of(MAX_KEPT);
    /** Access-ordered; bounded below in count and in bytes together. */
    private final Map<String, Kept<X509CRL>> crls = new java.util.LinkedHashMap<>(16, 0.75f, true);

    private record Kept<T>(T value, long until, int bytes) {
        Kept(T value, long until) {
            this(value, until, 0);
        }
    }

    private long crlBytes;

    OperatorRevocation(Set<TrustAnchor> anchors, Executor executor, Duration timeout) {
        this.anchors = Set.copyOf(anchors);
        this.executor = executor;
        this.timeout = timeout;
        // the client's own executor: its exchanges must not wait for the pool whose threads wait for them
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The status of a peer's chain ({@code chain[0]} the platform's certificate), checked on the executor. */
    CompletableFuture<Result> check(X509Certificate[] chain) {
        String key = chain[0].getIssuerX500Principal().getName() + "#" + chain[0].getSerialNumber().toString(16);
        long now = System.currentTimeMillis();
        synchronized (statuses) {
            Kept<Result> k = statuses.get(key);
            if (k != null && k.until() > now) {
                return CompletableFuture.completedFuture(k.value());
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            Result r = validate(chain);
            synchronized (statuses) {
                statuses.put(key, new Kept<>(r, System.currentTimeMillis()
                        + (r.status() == Status.UNKNOWN ? KEEP_UNKNOWN_MS : KEEP_MS)));
            }
            return r;
        }, executor);
    }

    private Result validate(X509Certificate[] chain) {
        try {
            List<X509Certificate> path = new ArrayList<>();
            for (X509Certificate c : chain) {
                if (anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c))) {
                    break; // the path ends below its anchor
                }
                path.add(c);
            }
            List<X509CRL> found = new ArrayList<>();
            boolean points = false;
            for (X509Certificate c : path) {
                for (String uri : distributionPoints(c)) {
                    points = true;
                    X509CRL crl = crl(uri);
                    if (crl != null) {
                        found.add(crl);
                    }
                }
            }
            CertPathValidator v = CertPathValidator.getInstance("PKIX");
            PKIXRevocationChecker rc = (PKIXRevocationChecker) v.getRevocationChecker();
            // CRLs first when the certificates name distribution points (fetched above), OCSP when they do not; the
            // other way as the fallback. Never SOFT_FAIL: an undetermined status refuses the login.
            rc.setOptions(points ? EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS)
                    : EnumSet.noneOf(PKIXRevocationChecker.Option.class));
            PKIXParameters p = new PKIXParameters(anchors);
            p.setRevocationEnabled(true);
            p.addCertPathChecker(rc);
            p.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(found)));
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
            v.validate(cp, p);
            return new Result(Status.GOOD, "not revoked");
        } catch (CertPathValidatorException e) {
            if (e.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                return new Result(Status.REVOKED, e.getMessage());
            }
            if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                return new Result(Status.UNKNOWN, "no operator trust anchor issued it: " + e.getMessage());
            }
            return new Result(Status.UNKNOWN, e.getMessage());
        } catch (GeneralSecurityException | RuntimeException e) {
            return new Result(Status.UNKNOWN, e.toString());
        }
    }

    /** The HTTP(S) URIs of a certificate's CRL distribution points (at most {@link #MAX_POINTS}). */
    static List<String> distributionPoints(X509Certificate c) {
        byte[] ext = c.getExtensionValue("2.5.29.31");
        List<String> out = new ArrayList<>();
        if (ext == null) {
            return out;
        }
        CRLDistPoint dp = CRLDistPoint.getInstance(ASN1OctetString.getInstance(ext).getOctets());
        for (DistributionPoint p : dp.getDistributionPoints()) {
            DistributionPointName n = p.getDistributionPoint();
            if (n == null || n.getType() != DistributionPointName.FULL_NAME) {
                continue;
            }
            for (GeneralName g : GeneralNames.getInstance(n.getName()).getNames()) {
                if (g.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    String uri = g.getName().toString();
                    if ((uri.startsWith("http://") || uri.startsWith("https://")) && out.size() < MAX_POINTS) {
                        out.add(uri);
                    }
                }
            }
        }
        return out;
    }

    /** The CRL at {@code uri}, fetched again once its nextUpdate has passed; null when it cannot be had now. */
    private X509CRL crl(String uri) {
        long now = System.currentTimeMillis();
        synchronized (crls) {
            Kept<X509CRL> k = crls.get(uri);
            if (k != null && k.until() > now) {
                return k.value();
            }
        }
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(MAX_CRL_BYTES + 1);
            }
            if (r.statusCode() != 200 || body.length > MAX_CRL_BYTES) {
                Log.AUTH.warnf("GRIDRA0209: CRL %s not usable: HTTP %d, %d bytes (at most %d)", uri, r.statusCode(),
                        body.length, MAX_CRL_BYTES);
                return null;
            }
            X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(body));
            long until = crl.getNextUpdate() == null ? now + 3_600_000L : crl.getNextUpdate().getTime();
            synchronized (crls) {
                Kept<X509CRL> old = crls.put(uri, new Kept<>(crl, Math.min(until, now + 24 * 3_600_000L), body.length));
                crlBytes += body.length - (old == null ? 0 : old.bytes());
                var eldest = crls.entrySet().iterator();
                while ((crlBytes > MAX_CRL_CACHE_BYTES || crls.size() > MAX_CRLS) && eldest.hasNext()) {
                    Map.Entry<String, Kept<X509CRL>> e = eldest.next();
                    if (!e.getKey().equals(uri)) {
                        crlBytes -= e.getValue().bytes();
                        eldest.remove();
                    }
                }
            }
            return crl; // its signature, issuer and freshness are checked by the path validation
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            Log.AUTH.warnf("GRIDRA0209: CRL %s could not be fetched: %s", uri, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
