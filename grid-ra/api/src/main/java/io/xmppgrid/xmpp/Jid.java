package io.xmppgrid.xmpp;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * An XMPP address (RFC 7622): {@code [localpart@]domainpart[/resourcepart]}, immutable and
 * normalized on construction, so that two equal addresses are equal objects.
 *
 * <p>Normalization follows RFC 7622 §3.2–3.4 as far as the JDK allows without a PRECIS
 * library: localpart is width-mapped (NFKC of full-width forms), case-folded to lower case
 * and NFC-normalized (UsernameCaseMapped), and must not contain the characters RFC 7622
 * §3.3.1 forbids; domainpart is converted with IDNA to its Unicode form, lower case, with
 * a trailing dot removed; resourcepart is NFC-normalized (OpaqueString). Every part is at
 * most 1023 octets in UTF-8 and none may be empty or contain control or space characters
 * (resourcepart may contain spaces but not leading/trailing ones).
 */
public final class Jid {

    private static final int MAX_PART_OCTETS = 1023;

    private final String local;
    private final String domain;
    private final String resource;
    private final String text;

    private Jid(String local, String domain, String resource) {
        this.local = local;
        this.domain = domain;
        this.resource = resource;
        StringBuilder sb = new StringBuilder();
        if (local != null) {
            sb.append(local).append('@');
        }
        sb.append(domain);
        if (resource != null) {
            sb.append('/').append(resource);
        }
        this.text = sb.toString();
    }

    /** Parses and normalizes an address; throws {@link JidFormatException} when it is not valid. */
    public static Jid parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new JidFormatException("empty address");
        }
        int slash = s.indexOf('/');
        String beforeResource = slash >= 0 ? s.substring(0, slash) : s;
        String resource = slash >= 0 ? s.substring(slash + 1) : null;
        int at = beforeResource.indexOf('@');
        String local = at >= 0 ? beforeResource.substring(0, at) : null;
        String domain = at >= 0 ? beforeResource.substring(at + 1) : beforeResource;
        return of(local, domain, resource);
    }

    /** Parses, returning null instead of throwing for invalid input. */
    public static Jid parseOrNull(String s) {
        try {
            return parse(s);
        } catch (JidFormatException e) {
            return null;
        }
    }

    public static Jid of(String local, String domain, String resource) {
        return new Jid(local == null ? null : normalizeLocal(local), normalizeDomain(domain),
                resource == null ? null : normalizeResource(resource));
    }

    public static Jid domain(String domain) {
        return of(null, domain, null);
    }

    /** RFC 7622 §3.3: UsernameCaseMapped profile, approximated with JDK normalizers. */
    public static String normalizeLocal(String local) {
        if (local.isEmpty()) {
            throw new JidFormatException("empty localpart");
        }
        String n = Normalizer.normalize(Normalizer.normalize(local, Normalizer.Form.NFKC)
                .toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c <= 0x20 || c == 0x7f || "\"&'/:<>@".indexOf(c) >= 0 || Character.isISOControl(c)
                    || Character.isWhitespace(c)) {
                throw new JidFormatException("localpart contains a forbidden character");
            }
        }
        checkLength(n, "localpart");
        return n;
    }

    /** RFC 7622 §3.2: domainpart as an internationalized domain name or IP literal. */
    public static String normalizeDomain(String domain) {
        if (domain == null || domain.isEmpty()) {
            throw new JidFormatException("empty domainpart");
        }
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty()) {
            throw new JidFormatException("empty domainpart");
        }
        if (d.startsWith("[") && d.endsWith("]")) {
            return d.toLowerCase(Locale.ROOT); // IPv6 literal
        }
        String ascii = ldhDomain(d);
        if (ascii != null) {
            return ascii; // what IDNA would give, without its cost (every stanza's addresses pass here)
        }
        String u;
        try {
            u = IDN.toUnicode(IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES), IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            throw new JidFormatException("domainpart is not a valid domain name");
        }
        u = Normalizer.normalize(u.toLowerCase(Locale.ROOT), Normalizer.Form.NFC);
        checkLength(u, "domainpart");
        return u;
    }

    /**
     * A domain of ASCII letters, digits and hyphens in labels of 1–63 characters that neither start nor
     * end with a hyphen and are not A-labels ({@code xn--}), lower-cased; null for anything else (the
     * IDNA path decides those). For such names IDNA's ToASCII/ToUnicode change nothing but case.
     */
    private static String ldhDomain(String d) {
        if (d.length() > 253) {
            return null;
        }
        int labelStart = 0;
        boolean upper = false;
        for (int i = 0; i <= d.length(); i++) {
            char c = i == d.length() ? '.' : d.charAt(i);
            if (c == '.') {
                int len = i - labelStart;
                if (len < 1 || len > 63 || d.charAt(labelStart) == '-' || d.charAt(i - 1) == '-'
                        || (len >= 4 && d.regionMatches(true, labelStart, "xn--", 0, 4))) {
                    return null;
                }
                labelStart = i + 1;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return null;
            }
        }
        return upper ? d.toLowerCase(Locale.ROOT) : d;
    }

    /** RFC 7622 §3.4: OpaqueString profile, approximated with NFC. */
    public static String normalizeResource(String resource) {
        if (resource.isEmpty()) {
            throw new JidFormatException("empty resourcepart");
        }
        String n = Normalizer.normalize(resource, Normalizer.Form.NFC);
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (Character.isISOControl(c) || (Character.isWhitespace(c) && c != ' ')) {
                throw new JidFormatException("resourcepart contains a forbidden character");
            }
        }
        if (n.charAt(0) == ' ' || n.charAt(n.length() - 1) == ' ') {
            throw new JidFormatException("resourcepart has leading or trailing space");
        }
        checkLength(n, "resourcepart");
        return n;
    }

    private static void checkLength(String part, String what) {
        if (part.getBytes(StandardCharsets.UTF_8).length > MAX_PART_OCTETS) {
            throw new JidFormatException(what + " longer than 1023 octets");
        }
    }

    public String local() {
        return local;
    }

    public String domainPart() {
        return domain;
    }

    public String resource() {
        return resource;
    }

    public boolean isBare() {
        return resource == null;
    }

    public boolean isDomain() {
        return local == null && resource == null;
    }

    public Jid bare() {
        return resource == null ? this : new Jid(local, domain, null);
    }

    public Jid withResource(String r) {
        return new Jid(local, domain, normalizeResource(r));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Jid && ((Jid) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** Thrown for an address that RFC 7622 does not allow. */
    public static final class JidFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public JidFormatException(String message) {
            super(message);
        }
    }

}
