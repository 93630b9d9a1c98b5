package io.hunnypot.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatorException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request checked against the API's OpenAPI document before its handler runs: query
 * parameters the operation does not declare, or given twice, and values that do not fit the
 * declared schemas, all become a 400 naming the parameter. The message says what was expected,
 * in the words of the parameter's {@code x-expected}.
 */
final class RequestValidation {

  static final String DOCUMENT = "io/hunnypot/api/openapi.yaml";
  private static final Pattern PARAMETER = Pattern.compile("parameter (\\S+)");
  private static final Pattern PROPERTY = Pattern.compile("[Pp]roperty \"([^\"]+)\"");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final OpenAPIContract contract;
  private final RequestValidator validator;
  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();
  private final Buffer document;

  private RequestValidation(Vertx vertx, OpenAPIContract contract, Buffer document) {
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, contract);
    this.document = document;
  }

  static Future<RequestValidation> load(Vertx vertx) {
    return vertx.fileSystem().readFile(DOCUMENT).compose(document ->
        OpenAPIContract.from(vertx, requestsOnly(document)).map(contract -> new RequestValidation(vertx, contract, document)));
  }

  /**
   * The document with every operation's responses reduced to a default: requests are what is
   * validated, and vertx-openapi refuses response media types it cannot check (text/csv,
   * text/event-stream, application/yaml) that the served document rightly names.
   */
  private static JsonObject requestsOnly(Buffer document) {
    try {
      JsonObject contract = new JsonObject(YAML.readValue(document.getBytes(), Map.class));
      JsonObject paths = contract.getJsonObject("paths");
      for (String path : paths.fieldNames()) {
        JsonObject item = paths.getJsonObject(path);
        for (String method : item.fieldNames()) {
          if (item.getValue(method) instanceof JsonObject operation && operation.containsKey("responses")) {
            operation.put("responses", new JsonObject().put("default", new JsonObject().put("description", "see " + DOCUMENT)));
          }
        }
      }
      return contract;
    } catch (IOException e) {
      throw new UncheckedIOException("the OpenAPI document " + DOCUMENT + " is not YAML", e);
    }
  }

  /** The document itself, as served at /api/v1/openapi.yaml. */
  Buffer document() {
    return document;
  }

  void validate(RoutingContext ctx) {
    Operation operation = contract.findOperation(ctx.request().path(), ctx.request().method());
    if (operation == null) {
      ctx.next(); // no such operation: the router answers 404 or 405
      return;
    }
    checkQueryNames(ctx, operation);
    extractor.extractValidatableRequest(ctx, operation)
        .compose(request -> validator.validate(request, operation.getOperationId()))
        .onSuccess(valid -> ctx.next())
        .onFailure(error -> ctx.fail(error instanceof ValidatorException invalid ? badRequest(invalid, operation) : error));
  }

  /** Only the query parameters the operation declares, each once. */
  private static void checkQueryNames(RoutingContext ctx, Operation operation) {
    List<String> accepted = operation.getParameters().stream()
        .filter(parameter -> parameter.getIn() == Location.QUERY).map(Parameter::getName).toList();
    for (String name : ctx.queryParams().names()) {
      if (!accepted.contains(name)) {
        throw ApiError.badParameter(name, accepted.isEmpty()
            ? "unknown parameter; this path takes none"
            : "unknown parameter; accepted: " + String.join(", ", accepted));
      }
      if (ctx.queryParams().getAll(name).size() > 1) {
        throw ApiError.badParameter(name, "given more than once");
      }
    }
  }

  private static ApiError badRequest(ValidatorException invalid, Operation operation) {
    Matcher named = PARAMETER.matcher(invalid.getMessage());
    Optional<Parameter> parameter = named.find()
        ? operation.getParameters().stream().filter(p -> p.getName().equals(named.group(1))).findFirst()
        : Optional.empty();
    if (parameter.isPresent()) {
      String expected = parameter.get().getOpenAPIModel().getString("x-expected");
      return ApiError.badParameter(parameter.get().getName(), expected != null ? "expected " + expected : invalid.getMessage());
    }
    return badBody(invalid, operation);
  }

  /** A bad JSON body: the field at fault when the validator names one (a wrong, missing or unknown field), else the body. */
  private static ApiError badBody(ValidatorException invalid, Operation operation) {
    JsonObject schema = operation.getOpenAPIModel().getJsonObject("requestBody", new JsonObject())
        .getJsonObject("content", new JsonObject()).getJsonObject("application/json", new JsonObject())
        .getJsonObject("schema", new JsonObject());
    JsonObject properties = schema.getJsonObject("properties", new JsonObject());
    Matcher property = PROPERTY.matcher(invalid.getMessage());
    if (property.find()) {
      String name = property.group(1);
      return properties.containsKey(name)
          ? ApiError.badParameter(name, "expected " + properties.getJsonObject(name).getString("x-expected"))
          : ApiError.badParameter(name, "unknown field; accepted: " + String.join(", ", properties.fieldNames()));
    }
    String expected = schema.getString("x-expected");
    return ApiError.badParameter("body", expected != null ? "expected " + expected : invalid.getMessage());
  }
}
