package dev.frip.lakehouse.s3;

import org.apache.catalina.connector.Connector;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Added to S3Mock's Spring context: binds its additional plain-HTTP connector to 127.0.0.1 too
 * ({@code server.address} only covers the main connector). Runs last, after S3Mock adds it.
 */
@Configuration
public class LoopbackOnly {

  /** The customizer that rebinds every additional connector to loopback. */
  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  public WebServerFactoryCustomizer<TomcatServletWebServerFactory> loopbackConnectors() {
    return new Customizer();
  }

  static final class Customizer
      implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      for (Connector c : factory.getAdditionalTomcatConnectors()) {
        c.setProperty("address", "127.0.0.1");
      }
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
