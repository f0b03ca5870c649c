/// The OpenAPI 3.1 document of every route, kept by hand; `OpenAPITests` fails when it and
/// the routes the server registers disagree.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "ListLedger server",
  "version": "0.1.0",
  "description": "The HTTP server of SPEC §6 over a ListLedger ledger: a court, a unit, an auditor or the alert runner each reads and records through its own credential. What a credential may not see answers 404. Errors are {\"error\":{\"line\",\"field\",\"message\"}}."
 },
 "servers": [
  {
   "url": "http://127.0.0.1:8080"
  }
 ],
 "paths": {
  "/healthz": {
   "get": {
    "operationId": "healthz",
    "summary": "Liveness",
    "responses": {
     "200": {
      "description": "alive",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus text format",
    "responses": {
     "200": {
      "description": "metrics",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "operationId": "openapi",
    "summary": "This document",
    "responses": {
     "200": {
      "description": "OpenAPI 3.1",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/events": {
   "post": {
    "operationId": "postEvents",
    "summary": "Append events (all or nothing); the actor is the credential's party",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "name": "If-Match",
      "in": "header",
      "required": false,
      "description": "the entry's last seq as last seen; 409 if it moved on",
      "schema": {
       "type": "string",
       "pattern": "^(W/)?\"?[0-9]{1,15}\"?$"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object"
       }
      },
      "application/jsonl": {
       "schema": {
        "type": "string"
       }
      },
      "application/x-ndjson": {
       "schema": {
        "type": "string"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "appended",
      "headers": {
       "Ledger-Seq": {
        "$ref": "#/components/headers/LedgerSeq"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Seqs"
        }
       }
      }
     },
     "200": {
      "description": "a repeat: already stored",
      "headers": {
       "Ledger-Seq": {
        "$ref": "#/components/headers/LedgerSeq"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Seqs"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/entries": {
   "get": {
    "operationId": "listEntries",
    "summary": "State of the entries the credential may see (as `state --json`)",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "state",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/entries/{entry}": {
   "get": {
    "operationId": "showEntry",
    "summary": "One entry's state; ETag is its last seq",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/entry"
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "state",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/entries/{entry}/history": {
   "get": {
    "operationId": "entryHistory",
    "summary": "One entry's events (as `history --json`)",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "$ref": "#/components/parameters/entry"
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "history",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/obligations": {
   "get": {
    "operationId": "listObligations",
    "summary": "Obligations the credential may see (as `obligations --json`)",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "name": "status",
      "in": "query",
      "required": false,
      "description": "open, met, late, breached, closed or all",
      "schema": {
       "type": "string",
       "enum": [
        "open",
        "met",
        "late",
        "breached",
        "closed",
        "all"
       ]
      }
     },
     {
      "name": "obligor",
      "in": "query",
      "required": false,
      "description": "court:…, unit:… or debtor",
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "as_of",
      "in": "query",
      "required": false,
      "description": "ISO 8601 instant or YYYY-MM-DD",
      "schema": {
       "type": "string",
       "anyOf": [
        {
         "format": "date"
        },
        {
         "format": "date-time"
        }
       ]
      }
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "obligations",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/public/search": {
   "get": {
    "operationId": "publicSearch",
    "summary": "The public list (SPC art. 6), resident IDs masked; rate-limited per address",
    "parameters": [
     {
      "name": "name",
      "in": "query",
      "required": true,
      "description": "the debtor's full name",
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 128
      }
     },
     {
      "name": "id_number",
      "in": "query",
      "required": false,
      "description": "the full ID number, to narrow",
      "schema": {
       "type": "string",
       "maxLength": 32
      }
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "matches",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "results": {
           "type": "array",
           "items": {
            "type": "object"
           }
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "429": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/feed": {
   "get": {
    "operationId": "feed",
    "summary": "Events concerning the credential's party: JSON Lines, or server-sent events with Accept: text/event-stream (resumes after Last-Event-ID)",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "name": "after",
      "in": "query",
      "required": false,
      "description": "seq to start after",
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 9007199254740991
      }
     },
     {
      "name": "follow",
      "in": "query",
      "required": false,
      "description": "JSON Lines: keep the stream open",
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     },
     {
      "name": "Last-Event-ID",
      "in": "header",
      "required": false,
      "description": "SSE: the seq of the last event received",
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,15}$"
      }
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "the feed",
      "content": {
       "application/jsonl": {
        "schema": {
         "type": "string"
        }
       },
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/checkpoint": {
   "get": {
    "operationId": "checkpoint",
    "summary": "The latest signed checkpoint (public)",
    "parameters": [
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "checkpoint",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/proofs/inclusion": {
   "get": {
    "operationId": "inclusionProof",
    "summary": "Inclusion proof of one event (as `prove --seq N --json`)",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "name": "seq",
      "in": "query",
      "required": true,
      "description": "the event",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 9007199254740991
      }
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "proof",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/api/v1/proofs/consistency": {
   "get": {
    "operationId": "consistencyProof",
    "summary": "Consistency proof between tree sizes (as `prove --from M --to N --json`)",
    "security": [
     {
      "bearer": []
     },
     {
      "basic": []
     }
    ],
    "parameters": [
     {
      "name": "from",
      "in": "query",
      "required": true,
      "description": "older tree size",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 9007199254740991
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "description": "newer tree size (default: the latest checkpoint)",
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 9007199254740991
      }
     },
     {
      "$ref": "#/components/parameters/afterSeq"
     }
    ],
    "responses": {
     "200": {
      "description": "proof",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "405": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  }
 },
 "components": {
  "parameters": {
   "entry": {
    "name": "entry",
    "in": "path",
    "required": true,
    "description": "the entry's id",
    "schema": {
     "type": "string"
    }
   },
   "afterSeq": {
    "name": "Ledger-After-Seq",
    "in": "header",
    "required": false,
    "description": "read-your-writes: the read sees the log at least up to this seq (e.g. the Ledger-Seq an append was answered with). A server reading a hot standby (serve --read-db) waits up to 2 s for the standby to replay it, then reads the primary; the credential's own appends through the same process count without it. Other servers hold every seq they acknowledged.",
    "schema": {
     "type": "string",
     "pattern": "^[0-9]{1,15}$"
    }
   }
  },
  "headers": {
   "LedgerSeq": {
    "description": "the highest seq this answer names: send it as Ledger-After-Seq on a later read to see this write from any server process, also one that reads a hot standby",
    "schema": {
     "type": "string",
     "pattern": "^[0-9]{1,15}$"
    }
   }
  },
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   },
   "basic": {
    "type": "http",
    "scheme": "basic"
   }
  },
  "schemas": {
   "Seqs": {
    "type": "object",
    "required": [
     "seqs"
    ],
    "properties": {
     "seqs": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "duplicates": {
      "type": "array",
      "items": {
       "type": "object"
      }
     }
    }
   },
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "line",
       "field",
       "message"
      ],
      "properties": {
       "line": {
        "type": [
         "integer",
         "null"
        ]
       },
       "field": {
        "type": [
         "string",
         "null"
        ]
       },
       "message": {
        "type": "string"
       }
      }
     }
    }
   }
  },
  "responses": {
   "Error": {
    "description": "refused",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  }
 }
}
"""#
}

extension LedgerServerApp {
    /// The OpenAPI document served at /openapi.json.
    package static var openAPIDocument: String { OpenAPIDocument.json }
}
