package io.xmppgrid.admin;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The local administration API, under {@code /grid-admin/api}. */
@ApplicationPath("/api")
public class AdminApi extends Application {
}
