package io.xmppgrid.ra;

import org.jboss.logging.Logger;

/**
 * The adapter's loggers. Every line starts with a message id ({@code GRIDRA0nnn}) that the
 * README's operations section lists, and names the connection it concerns ({@code c-...}).
 */
final class Log {
    static final Logger SERVER = Logger.getLogger("io.xmppgrid.ra.server");
    static final Logger CONN = Logger.getLogger("io.xmppgrid.ra.connection");
    static final Logger AUTH = Logger.getLogger("io.xmppgrid.ra.auth");

    private Log() {
    }
}
