package io.hunnypot.config;

/** A configuration that cannot be used; the message names the key and the expected form. */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }

  /** For a key whose value is not of the expected form. */
  public static ConfigException badValue(String key, Object value, String expected) {
    return new ConfigException("configuration key " + key + ": expected " + expected + ", got '" + value + "'");
  }
}
