package io.hunnypot.api.dnsbl;

import io.hunnypot.config.ConfigLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DnsblWithoutDatabaseTest {

  @Test
  @DisplayName("without its database the DNSBL starts all the same and answers SERVFAIL under the zone, never a false NXDOMAIN")
  void servfailUntilLoaded() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    Vertx vertx = Vertx.vertx();
    try {
      DnsblVerticle dnsbl = new DnsblVerticle(ConfigLoader.load(Optional.empty(), Map.of(
          "HUNNYPOT_DB_URL", "postgresql://postgres@127.0.0.1:" + closedPort + "/nowhere",
          "HUNNYPOT_DNSBL_HOST", "127.0.0.1",
          "HUNNYPOT_DNSBL_PORT", "0")), new SimpleMeterRegistry());
      vertx.deployVerticle(dnsbl).await(30, TimeUnit.SECONDS);
      assertThat(rcode(dnsbl.actualPort(), "2.2.0.192.bl.hunnypot.invalid.", Type.A)).isEqualTo(Rcode.SERVFAIL);
      assertThat(rcode(dnsbl.actualPort(), "bl.hunnypot.invalid.", Type.SOA)).isEqualTo(Rcode.NOERROR);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static int rcode(int port, String name, int type) throws Exception {
    SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
    resolver.setPort(port);
    resolver.setTimeout(Duration.ofSeconds(2));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN))).getRcode();
  }
}
