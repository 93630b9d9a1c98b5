package io.hunnypot.testsupport;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeMxTest {

  @Test
  @DisplayName("a live fake primary greets 220 and says goodbye to QUIT; every connection is counted")
  void greeting() throws IOException {
    try (FakeMx primary = FakeMx.greeting("127.0.0.20", 0);
         SmtpClient client = SmtpClient.connect("127.0.0.20", primary.port())) {
      assertThat(client.readReply().code()).isEqualTo(220);
      assertThat(client.command("QUIT").code()).isEqualTo(221);
      assertThat(primary.connections()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a hung fake primary accepts the connection and never greets")
  void silent() throws IOException {
    try (FakeMx primary = FakeMx.silent("127.0.0.21", 0);
         SmtpClient client = SmtpClient.connect("127.0.0.21", primary.port(), Duration.ofMillis(300))) {
      assertThatThrownBy(client::readReply).isInstanceOf(SocketTimeoutException.class);
      assertThat(primary.connections()).isEqualTo(1);
    }
  }
}
