package dev.bunting.http;

import io.vertx.ext.web.Router;

/** A part of Bunting that serves HTTP endpoints on the controller's port (e.g. the Git webhook receiver). */
public interface RouteContributor {
  void mount(Router router);
}
