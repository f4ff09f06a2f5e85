package dev.bunting.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of every nested API type. Fields Bunting does not model are kept and written back unchanged, so a
 * Flagger manifest (or a newer Flagger field) survives a read-modify-write round trip through Bunting.
 * Only fields are serialised: helper methods such as {@code isBuiltin()} never become JSON properties.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonAutoDetect(fieldVisibility = Visibility.PUBLIC_ONLY, getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public abstract class ApiObject {

  @JsonIgnore
  private final Map<String, Object> unknownFields = new LinkedHashMap<>();

  /** Fields present in the object that this class does not declare. */
  @JsonAnyGetter
  public Map<String, Object> unknownFields() {
    return unknownFields;
  }

  @JsonAnySetter
  public void setUnknownField(String name, Object value) {
    unknownFields.put(name, value);
  }
}
