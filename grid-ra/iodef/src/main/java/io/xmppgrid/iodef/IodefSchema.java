package io.xmppgrid.iodef;

import java.io.InputStream;
import java.io.StringReader;
import java.net.URL;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.w3c.dom.ls.LSInput;
import org.w3c.dom.ls.LSResourceResolver;
import org.xml.sax.SAXException;

/**
 * The IODEF 2.0 schema (RFC 7970) shipped in this jar, and validation of documents against it. Imports are resolved
 * from the jar only, never the network: xmldsig is the W3C schema; xml.xsd, iodef-enum and iodef-sci are stand-ins
 * (the last two with open content, so those extension elements are checked for well-formedness only). Thread-safe:
 * one validator per thread, reused from document to document (making one costs about as much as a validation).
 */
public final class IodefSchema {

    /** The IODEF 2.0 namespace (RFC 7970 §8), also the {@code pubsub#type} of IODEF Topics (RFC 8600 §6). */
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:iodef-2.0";
    private static final String BASE = "/schemas/iodef/";
    private static final Map<String, String> LOCAL = Map.of(
            "http://www.w3.org/2000/09/xmldsig#", "xmldsig-core-schema.xsd",
            "urn:ietf:params:xml:ns:iodef-enum-1.0", "iodef-enum-1.0.xsd",
            "urn:ietf:params:xml:ns:iodef-sci-1.0", "iodef-sci-1.0.xsd",
            "http://www.w3.org/XML/1998/namespace", "xml.xsd");

    /** Created after the constants above: the schema loader needs them. */
    public static final IodefSchema INSTANCE = new IodefSchema();

    private final Schema schema;
    private final ThreadLocal<Validator> validators = ThreadLocal.withInitial(this::newValidator);

    private IodefSchema() {
        try {
            SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setResourceResolver(new Offline());
            URL main = IodefSchema.class.getResource(BASE + "iodef-2.0.xsd");
            schema = f.newSchema(new StreamSource(main.openStream(), main.toExternalForm()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the IODEF 2.0 schema", e);
        }
    }

    /**
     * Validates one document (an {@code IODEF-Document} element as text, no DTD): null when valid, else the problem as
     * the broker reports it ({@code IODEF 2.0 schema: ...}).
     */
    public String problem(String xml) {
        Validator v = validators.get();
        try {
            v.validate(new StreamSource(new StringReader(xml)));
            return null;
        } catch (SAXException | java.io.IOException e) {
            // stopped midway: the next document gets a new validator (reset() would also drop the offline settings)
            validators.remove();
            return "IODEF 2.0 schema: " + e.getMessage();
        } catch (RuntimeException e) {
            validators.remove();
            throw e;
        }
    }

    private Validator newValidator() {
        Validator v = schema.newValidator();
        try {
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (org.xml.sax.SAXNotRecognizedException | org.xml.sax.SAXNotSupportedException e) {
            throw new IllegalStateException("the schema validator refuses to be kept offline", e);
        }
        return v;
    }

    /** Resolves the schema's imports from this jar; refuses anything else. */
    private static final class Offline implements LSResourceResolver {
        @Override
        public LSInput resolveResource(String type, String namespace, String publicId, String systemId, String baseUri) {
            String file = namespace == null ? null : LOCAL.get(namespace);
            if (file == null) {
                throw new IllegalStateException("IODEF schema import not available offline: " + namespace + " " + systemId);
            }
            return new Input(IodefSchema.class.getResource(BASE + file), publicId);
        }
    }

    /** A minimal LSInput over a jar resource. */
    private static final class Input implements LSInput {
        private final URL url;
        private final String publicId;

        Input(URL url, String publicId) {
            this.url = url;
            this.publicId = publicId;
        }

        @Override
        public InputStream getByteStream() {
            try {
                return url.openStream();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String getSystemId() {
            return url.toExternalForm();
        }

        @Override
        public String getPublicId() {
            return publicId;
        }

        @Override
        public java.io.Reader getCharacterStream() {
            return null;
        }

        @Override
        public void setCharacterStream(java.io.Reader r) {
        }

        @Override
        public void setByteStream(InputStream s) {
        }

        @Override
        public String getStringData() {
            return null;
        }

        @Override
        public void setStringData(String s) {
        }

        @Override
        public void setSystemId(String s) {
        }

        @Override
        public void setPublicId(String s) {
        }

        @Override
        public String getBaseURI() {
            return null;
        }

        @Override
        public void setBaseURI(String s) {
        }

        @Override
        public String getEncoding() {
            return null;
        }

        @Override
        public void setEncoding(String s) {
        }

        @Override
        public boolean getCertifiedText() {
            return false;
        }

        @Override
        public void setCertifiedText(boolean b) {
        }
    }
}
