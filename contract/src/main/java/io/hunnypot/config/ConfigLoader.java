package io.hunnypot.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds the configuration from three layers: the defaults, the file given with
 * {@code --config} (YAML or JSON), then {@code HUNNYPOT_<SECTION>_<KEY>} environment variables.
 * Any key the defaults do not know is an error, never silently ignored.
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "HUNNYPOT_";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private ConfigLoader() {
  }

  public static HunnypotConfig load(Optional<Path> file, Map<String, String> environment) {
    ObjectNode tree = defaults();
    file.ifPresent(path -> merge(tree, read(path), path.toString()));
    applyEnvironment(tree, environment);
    return bind(tree);
  }

  /** The defaults alone, as a tree: the list of every key there is. */
  public static ObjectNode defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code smtp} + {@code maxPerIp} gives {@code HUNNYPOT_SMTP_MAX_PER_IP}. */
  public static String environmentName(String section, String key) {
    return ENV_PREFIX + section.toUpperCase() + "_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  private static JsonNode read(Path path) {
    try {
      JsonNode node = YAML.readTree(Files.readString(path));
      if (node == null || node.isMissingNode() || node.isNull()) {
        return YAML.createObjectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException("configuration file " + path + ": expected a mapping of sections (smtp:, http:, ...)");
      }
      return node;
    } catch (JacksonException e) {
      throw new ConfigException("configuration file " + path + " is not valid YAML or JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + path + ": " + e);
    }
  }

  private static void merge(ObjectNode tree, JsonNode overrides, String source) {
    for (Iterator<Map.Entry<String, JsonNode>> sections = overrides.fields(); sections.hasNext(); ) {
      Map.Entry<String, JsonNode> section = sections.next();
      JsonNode known = tree.get(section.getKey());
      if (known == null) {
        throw new ConfigException(source + ": unknown section '" + section.getKey() + "'; known sections: "
            + String.join(", ", fieldNames(tree)));
      }
      if (!section.getValue().isObject()) {
        throw new ConfigException(source + ": section '" + section.getKey() + "' must be a mapping of keys");
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        if (!known.has(key.getKey())) {
          throw new ConfigException(source + ": unknown key '" + section.getKey() + "." + key.getKey()
              + "'; known keys in " + section.getKey() + ": " + String.join(", ", fieldNames(known)));
        }
        ((ObjectNode) known).set(key.getKey(), key.getValue());
      }
    }
  }

  private static void applyEnvironment(ObjectNode tree, Map<String, String> environment) {
    Map<String, String[]> keysByVariable = new TreeMap<>();
    tree.fields().forEachRemaining(section -> section.getValue().fieldNames().forEachRemaining(
        key -> keysByVariable.put(environmentName(section.getKey(), key), new String[] {section.getKey(), key})));

    for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
      if (!variable.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String[] key = keysByVariable.get(variable.getKey());
      if (key == null) {
        throw new ConfigException("unknown environment variable " + variable.getKey() + "; known: "
            + String.join(", ", keysByVariable.keySet()));
      }
      ObjectNode section = (ObjectNode) tree.get(key[0]);
      section.set(key[1], section.get(key[1]).isArray()
          ? commaSeparated(variable.getValue())
          : TextNode.valueOf(variable.getValue()));
    }
  }

  private static ArrayNode commaSeparated(String value) {
    ArrayNode list = YAML.createArrayNode();
    Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
    return list;
  }

  private static HunnypotConfig bind(ObjectNode tree) {
    try {
      return YAML.treeToValue(tree, HunnypotConfig.class);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ConfigException configError) {
        throw configError;
      }
      throw new ConfigException("configuration " + path(e) + ": " + e.getOriginalMessage());
    } catch (MismatchedInputException e) {
      Object value = tree.at("/" + path(e).replace('.', '/'));
      throw ConfigException.badValue(path(e), value, expected(e.getTargetType()));
    } catch (JsonMappingException e) {
      throw new ConfigException("configuration " + path(e) + ": " + e.getOriginalMessage());
    } catch (JacksonException e) {
      throw new ConfigException("configuration: " + e.getOriginalMessage());
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream().map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  private static String expected(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class) {
      return "an integer";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type != null && java.util.List.class.isAssignableFrom(type)) {
      return "a list (comma-separated in the environment)";
    }
    return "a text value";
  }

  private static Iterable<String> fieldNames(JsonNode node) {
    return node::fieldNames;
  }
}
