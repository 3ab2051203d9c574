/**
 * A MIoT-Spec-V2 instance written for these tests (not from the corpus): a two-gang power strip with
 * what real instances contain and the model format had no place for before: a repeated service type,
 * a repeated property type, a vendor namespace, iid 0, a uint64 range beyond 2^53 (a plain JSON
 * number, as MIoT writes it), MIoT unit spellings, `pm2.5-density`, an empty and a duplicate value-list
 * description, a repeated access, a parameter-only hex property, and fields ecohub drops.
 */
export const POWER_STRIP = `{
  "type": "urn:miot-spec-v2:device:outlet:0000A002:acme-p9:2:0000C802",
  "description": "Acme Power Strip P9",
  "x-vendor-note": "kept by nobody",
  "services": [
    {
      "iid": 2,
      "type": "urn:miot-spec-v2:service:switch:0000780C:acme-p9:2",
      "description": "Left socket",
      "comment": "左",
      "properties": [
        {
          "iid": 1,
          "type": "urn:miot-spec-v2:property:on:00000006:acme-p9:2",
          "description": "Switch Status",
          "format": "bool",
          "access": ["read", "write", "notify"],
          "source": 1,
          "gatt-access": []
        }
      ],
      "actions": [
        { "iid": 1, "type": "urn:miot-spec-v2:action:toggle:00002811:acme-p9:2", "description": "Toggle", "in": [], "out": [] }
      ]
    },
    {
      "iid": 3,
      "type": "urn:miot-spec-v2:service:switch:0000780C:acme-p9:2",
      "description": "Right socket",
      "properties": [
        {
          "iid": 1,
          "type": "urn:miot-spec-v2:property:on:00000006:acme-p9:2",
          "description": "Switch Status",
          "format": "bool",
          "access": ["read", "write", "notify"]
        }
      ]
    },
    {
      "iid": 4,
      "type": "urn:miot-spec-v2:service:power-consumption:0000780E:acme-p9:2",
      "description": "Power Consumption",
      "properties": [
        {
          "iid": 1,
          "type": "urn:miot-spec-v2:property:power-consumption:0000002F:acme-p9:2",
          "description": "Energy",
          "format": "float",
          "access": ["read", "notify"],
          "unit": "kWh",
          "value-range": [0, 65535, 0.01]
        }
      ],
      "actions": [],
      "events": []
    },
    {
      "iid": 5,
      "type": "urn:acme-spec:service:counters:00007801:acme-p9:2",
      "description": "Counters",
      "properties": [
        {
          "iid": 0,
          "type": "urn:acme-spec:property:uptime:00000001:acme-p9:2",
          "description": "Uptime",
          "format": "uint64",
          "access": ["read", "notify"],
          "unit": "seconds",
          "value-range": [0, 18446744073709551615, 1]
        },
        {
          "iid": 1,
          "type": "urn:acme-spec:property:mode:00000002:acme-p9:2",
          "description": "Mode",
          "format": "uint8",
          "access": ["notify", "read", "write"],
          "value-list": [
            { "value": 0, "description": "" },
            { "value": 1, "description": "Eco" },
            { "value": 2, "description": "eco " }
          ]
        },
        {
          "iid": 2,
          "type": "urn:acme-spec:property:mode:00000002:acme-p9:2",
          "description": "Mode at power-on",
          "format": "uint8",
          "access": ["read", "read"],
          "value-range": [0, 10, 1]
        },
        {
          "iid": 3,
          "type": "urn:acme-spec:property:pm2.5-density:00000003:acme-p9:2",
          "description": "PM2.5",
          "format": "uint16",
          "access": ["read", "notify"],
          "unit": "μg/m3",
          "value-range": [0, 1000, 1]
        },
        {
          "iid": 4,
          "type": "urn:acme-spec:property:blob:00000004:acme-p9:2",
          "description": "Log chunk",
          "format": "hex",
          "access": []
        }
      ],
      "actions": [
        { "iid": 1, "type": "urn:acme-spec:action:upload:00002801:acme-p9:2", "description": "Upload", "in": [4], "out": [] }
      ]
    }
  ]
}`;
