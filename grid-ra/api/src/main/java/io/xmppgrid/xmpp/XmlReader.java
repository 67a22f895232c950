package io.xmppgrid.xmpp;

import java.io.StringReader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads one XML element from text that this server wrote itself (stored item payloads) back
 * into an {@link XmlElement}. Network input never comes here: it goes through the adapter's
 * stream parser. DTDs and external entities are off all the same.
 */
public final class XmlReader {

    private static final XMLInputFactory FACTORY = newFactory();

    private XmlReader() {
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.TRUE);
        return f;
    }

    public static XmlElement parse(String xml) {
        return parse(xml, null);
    }

    /**
     * Reads text written by {@link XmlWriter#toXml(XmlElement, String)} as a child of a parent whose default
     * namespace is {@code inheritedNamespace} (a stanza written for a {@code jabber:client} stream carries no
     * {@code xmlns} of its own): the element gets that namespace back, and so do its undeclared descendants.
     */
    public static XmlElement parse(String xml, String inheritedNamespace) {
        boolean wrapped = inheritedNamespace != null && !inheritedNamespace.isEmpty();
        StringBuilder text = new StringBuilder(xml.length() + (wrapped ? 64 : 0));
        if (wrapped) {
            text.append("<w xmlns='");
            XmlWriter.escapeAttribute(text, inheritedNamespace);
            text.append("'>");
        }
        text.append(xml);
        if (wrapped) {
            text.append("</w>");
        }
        try {
            XMLStreamReader r = FACTORY.createXMLStreamReader(new StringReader(text.toString()));
            try {
                for (int depth = wrapped ? 2 : 1; depth > 0; ) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT) {
                        depth--; // the prolog and the wrapper are skipped
                    }
                }
                return element(r);
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("stored XML is not well-formed: " + e.getMessage(), e);
        }
    }

    private static XmlElement element(XMLStreamReader r) throws XMLStreamException {
        String ns = r.getNamespaceURI();
        XmlElement.Builder b = XmlElement.builder(r.getLocalName(), ns == null || ns.isEmpty() ? null : ns);
        for (int i = 0; i < r.getAttributeCount(); i++) {
            String ans = r.getAttributeNamespace(i);
            b.attribute(ans == null || ans.isEmpty() ? null : ans, r.getAttributeLocalName(i), r.getAttributeValue(i));
        }
        while (true) {
            int ev = r.next();
            switch (ev) {
                case XMLStreamConstants.START_ELEMENT:
                    b.child(element(r));
                    break;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    b.text(r.getText());
                    break;
                case XMLStreamConstants.END_ELEMENT:
                    return b.build();
                default:
                    break;
            }
        }
    }
}
