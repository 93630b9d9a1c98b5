package io.hunnypot.testsupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDnsServerTest {

  private static final String ZONE = """
      $ORIGIN test.
      $TTL 60
      @        SOA ns.test. hostmaster.test. 1 3600 600 86400 5
      @        NS  ns.test.
      ns       A   127.0.0.1
      backup   MX  10 mx1.test.
      backup   MX  90 hp.test.
      mx1      A   127.0.0.20
      hp       A   127.0.0.1
      hp       AAAA ::1
      """;

  private static TestDnsServer server;

  @BeforeAll
  static void start() throws IOException {
    server = TestDnsServer.start("127.0.0.1", ZONE);
    server.failFor("broken.test");
    server.ignore("silent.test");
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
  }

  private static Message ask(String name, int type, boolean tcp) throws IOException {
    SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", server.port()));
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofMillis(500));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  @Test
  @DisplayName("records of the zone file are answered authoritatively, over UDP and over TCP, and each query is counted")
  void answersAndCounts() throws IOException {
    Message udp = ask("backup.test.", Type.MX, false);
    assertThat(udp.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(udp.getSection(Section.ANSWER)).hasSize(2).allMatch(r -> r instanceof MXRecord);
    Message tcp = ask("hp.test.", Type.AAAA, true);
    assertThat(tcp.getSection(Section.ANSWER)).singleElement().extracting(Record::rdataToString).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(server.queries("backup.test", "MX")).isEqualTo(1);
    assertThat(server.queries("hp.test.", "AAAA")).isEqualTo(1);
    assertThat(server.hostAndPort()).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  @DisplayName("an absent name is NXDOMAIN and an absent type NODATA, both with the SOA that lets resolvers cache the absence")
  void negativeAnswers() throws IOException {
    Message nx = ask("nowhere.test.", Type.MX, false);
    assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(nx.getSection(Section.AUTHORITY)).singleElement().extracting(Record::getType).isEqualTo(Type.SOA);
    Message nodata = ask("mx1.test.", Type.MX, false);
    assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
    assertThat(nodata.getSection(Section.AUTHORITY)).singleElement().extracting(Record::getType).isEqualTo(Type.SOA);
  }

  @Test
  @DisplayName("a name told to fail gets SERVFAIL, and a name told to be ignored gets no answer at all")
  void failingAndSilentNames() throws IOException {
    assertThat(ask("broken.test.", Type.MX, false).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThatThrownBy(() -> ask("silent.test.", Type.MX, false)).isInstanceOf(IOException.class);
    assertThat(server.queries("silent.test", "MX")).isPositive();
  }
}
