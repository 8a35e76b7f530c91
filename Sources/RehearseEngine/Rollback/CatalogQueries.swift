/// The catalog queries behind a `CatalogFingerprint`: one per kind of object that
/// `pg_dump --schema-only` writes. Each returns `kind`, `name`, optionally `parent`
/// (the table or domain it belongs to) and `position` (a column's place among its
/// table's), then one column per attribute, named
/// as a difference reports it; NULL means the object does not have that attribute
/// (no default, no comment, the default storage).
enum CatalogQueries {
    /// Schemas that are never part of a fingerprint: the system's and rehearse's own bookkeeping.
    static let excludedSchemas = "('pg_catalog', 'information_schema', 'pg_toast', '_rehearse')"

    /// The object lives in one of the user's schemas.
    static func inUserSchema(_ namespace: String) -> String {
        "\(namespace) IN (SELECT oid FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN \(excludedSchemas))"
    }

    /// The object is not part of an extension (its `CREATE EXTENSION` stands for it).
    static func notInExtension(_ catalog: String, _ oid: String) -> String {
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = \(catalog) AND e.objid = \(oid) AND e.deptype = 'e')"
    }

    /// A trigger's, event trigger's or rule's firing state (`tgenabled`, `evtenabled`,
    /// `ev_enabled` share their letters), in words.
    static func enabledState(_ column: String) -> String {
        """
        CASE \(column) WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled on replicas only'
          WHEN 'A' THEN 'enabled always' END
        """
    }

    static func userObject(_ catalog: String, _ oid: String, namespace: String) -> String {
        "\(inUserSchema(namespace)) AND \(notInExtension("'\(catalog)'::regclass", oid))"
    }

    /// `schema.relation` of a pg_class oid, independent of search_path.
    static func relationName(_ oid: String) -> String {
        "(SELECT qn.nspname || '.' || qc.relname FROM pg_class qc JOIN pg_namespace qn ON qn.oid = qc.relnamespace WHERE qc.oid = \(oid))"
    }

    static let all: [String] = [
        """
        SELECT 'schema' AS kind, n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner
        FROM pg_namespace n WHERE \(userObject("pg_namespace", "n.oid", namespace: "n.oid"))
        """,
        """
        SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                 ELSE 'table' END AS kind,
               n.nspname || '.' || c.relname AS name,
               pg_get_userbyid(c.relowner) AS owner,
               CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' END AS persistence,
               CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition,
               CASE WHEN c.relkind = 'm' AND NOT c.relispopulated THEN 'not populated' END AS data,
               array_to_string(c.reloptions, ', ') AS "storage parameters",
               am.amname AS "access method",
               ts.spcname AS tablespace,
               CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS "of type",
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS "partitioned by",
               CASE WHEN c.relispartition THEN
                 (SELECT \(relationName("i.inhparent")) FROM pg_inherits i WHERE i.inhrelid = c.oid)
                 || ' ' || pg_get_expr(c.relpartbound, c.oid) END AS "partition of",
               CASE WHEN NOT c.relispartition THEN
                 (SELECT string_agg(\(relationName("i.inhparent")), ', ' ORDER BY i.inhseqno)
                  FROM pg_inherits i WHERE i.inhrelid = c.oid) END AS inherits,
               CASE WHEN c.relrowsecurity THEN 'enabled' END AS "row level security",
               CASE WHEN c.relforcerowsecurity THEN 'forced' END AS "row level security for the owner",
               CASE WHEN c.relkind IN ('r', 'p', 'm') THEN
                 CASE c.relreplident WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
                   WHEN 'i' THEN 'using index ' || (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                                                   WHERE x.indrelid = c.oid AND x.indisreplident) END END AS "replica identity"
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_am am ON am.oid = c.relam LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND \(userObject("pg_class", "c.oid", namespace: "c.relnamespace"))
        """,
        """
        SELECT 'sequence' AS kind, n.nspname || '.' || c.relname AS name, pg_get_userbyid(c.relowner) AS owner,
               format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS increment,
               s.seqmin::text AS minimum, s.seqmax::text AS maximum, s.seqcache::text AS cache,
               CASE WHEN s.seqcycle THEN 'cycle' END AS cycle,
               CASE c.relpersistence WHEN 'u' THEN 'unlogged' END AS persistence,
               (SELECT \(relationName("d.refobjid")) || '.' || a.attname || CASE d.deptype WHEN 'i' THEN ' (identity)' ELSE '' END
                FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a', 'i') LIMIT 1) AS "owned by"
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE \(userObject("pg_class", "c.oid", namespace: "c.relnamespace"))
        """,
        """
        SELECT 'column' AS kind, n.nspname || '.' || c.relname || '.' || a.attname AS name,
               n.nspname || '.' || c.relname AS parent,
               row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS position,
               format_type(a.atttypid, a.atttypmod) AS type,
               CASE WHEN a.attnotnull THEN 'not null' END AS "not null",
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
               CASE a.attidentity WHEN 'a' THEN 'generated always' WHEN 'd' THEN 'generated by default' END AS identity,
               CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS "generated as",
               CASE WHEN a.attcollation <> t.typcollation THEN
                 (SELECT cn.nspname || '.' || co.collname FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                  WHERE co.oid = a.attcollation) END AS collation,
               CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::text END AS "statistics target",
               CASE WHEN a.attstorage <> t.typstorage THEN
                 CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended' END
               END AS storage,
               CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
               array_to_string(a.attoptions, ', ') AS options,
               array_to_string(a.attfdwoptions, ', ') AS "foreign options"
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND \(userObject("pg_class", "c.oid", namespace: "c.relnamespace"))
        """,
        """
        SELECT 'constraint' AS kind, n.nspname || '.' || coalesce(c.relname, t.typname) || '.' || con.conname AS name,
               n.nspname || '.' || coalesce(c.relname, t.typname) AS parent,
               pg_get_constraintdef(con.oid, true) AS definition
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        LEFT JOIN pg_class c ON c.oid = con.conrelid LEFT JOIN pg_type t ON t.oid = con.contypid
        WHERE \(userObject("pg_constraint", "con.oid", namespace: "con.connamespace"))
          AND \(notInExtension("'pg_class'::regclass", "con.conrelid")) AND \(notInExtension("'pg_type'::regclass", "con.contypid"))
        """,
        """
        SELECT 'index' AS kind, n.nspname || '.' || ic.relname AS name, \(relationName("i.indrelid")) AS parent,
               pg_get_indexdef(i.indexrelid) AS definition,
               CASE WHEN i.indisclustered THEN 'clustered on' END AS cluster,
               CASE WHEN NOT i.indisvalid THEN 'invalid' END AS validity,
               (SELECT string_agg(a.attnum || ': ' || a.attstattarget, ', ' ORDER BY a.attnum) FROM pg_attribute a
                WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0) AS "statistics target",
               ts.spcname AS tablespace
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
        LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
        WHERE \(userObject("pg_class", "i.indrelid", namespace: "ic.relnamespace"))
        """,
        """
        SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END AS kind,
               n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name,
               pg_get_userbyid(p.proowner) AS owner,
               CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) ELSE
                 (SELECT format('returns %s, state function %s, state type %s, final function %s, combine function %s, initial %s, sort operator %s',
                                format_type(p.prorettype, NULL), g.aggtransfn::regproc, format_type(g.aggtranstype, NULL),
                                g.aggfinalfn::regproc, g.aggcombinefn::regproc, g.agginitval, g.aggsortop::regoperator)
                  FROM pg_aggregate g WHERE g.aggfnoid = p.oid) END AS definition
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE \(userObject("pg_proc", "p.oid", namespace: "p.pronamespace"))
        """,
        """
        SELECT 'trigger' AS kind, n.nspname || '.' || c.relname || '.' || t.tgname AS name,
               n.nspname || '.' || c.relname AS parent,
               pg_get_triggerdef(t.oid, true) AS definition,
               \(enabledState("t.tgenabled")) AS state
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND \(userObject("pg_class", "c.oid", namespace: "c.relnamespace"))
        """,
        """
        SELECT 'event trigger' AS kind, t.evtname AS name, t.evtevent AS event, t.evtfoid::regproc::text AS function,
               array_to_string(t.evttags, ', ') AS tags, pg_get_userbyid(t.evtowner) AS owner,
               \(enabledState("t.evtenabled")) AS state
        FROM pg_event_trigger t WHERE \(notInExtension("'pg_event_trigger'::regclass", "t.oid"))
        """,
        """
        SELECT 'rule' AS kind, n.nspname || '.' || c.relname || '.' || r.rulename AS name,
               n.nspname || '.' || c.relname AS parent,
               pg_get_ruledef(r.oid, true) AS definition,
               \(enabledState("r.ev_enabled")) AS state
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN' AND \(userObject("pg_class", "c.oid", namespace: "c.relnamespace"))
        """,
        """
        SELECT 'extension' AS kind, e.extname AS name, e.extversion AS version, n.nspname AS schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'
        """,
        """
        SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' WHEN 'b' THEN 'base type'
                 ELSE 'type' END AS kind,
               n.nspname || '.' || t.typname AS name, pg_get_userbyid(t.typowner) AS owner,
               CASE t.typtype
                 WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                FROM pg_enum e WHERE e.enumtypid = t.oid)
                 WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                 WHEN 'c' THEN (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                  || CASE WHEN a.attcollation <> at.typcollation THEN ' collate ' || a.attcollation::regcollation::text
                                     ELSE '' END, ', ' ORDER BY a.attnum)
                                FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                                WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
                 WHEN 'r' THEN (SELECT format_type(r.rngsubtype, NULL) || coalesce(' collate ' || nullif(r.rngcollation, 0)::regcollation::text, '')
                                  || coalesce(' subtype operator class ' || (SELECT opcname FROM pg_opclass WHERE oid = r.rngsubopc), '')
                                FROM pg_range r WHERE r.rngtypid = t.oid)
                 ELSE format('input %s, output %s, length %s', t.typinput::regproc, t.typoutput::regproc, t.typlen) END AS definition,
               CASE WHEN t.typtype = 'd' AND t.typnotnull THEN 'not null' END AS "not null",
               CASE WHEN t.typtype = 'd' THEN t.typdefault END AS default,
               CASE WHEN t.typtype = 'd' AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
                 THEN t.typcollation::regcollation::text END AS collation
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'b' AND t.typcategory <> 'A')
               OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
          AND \(userObject("pg_type", "t.oid", namespace: "t.typnamespace"))
        """,
        """
        SELECT 'collation' AS kind, n.nspname || '.' || c.collname AS name, pg_get_userbyid(c.collowner) AS owner,
               (to_jsonb(c) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion')::text AS definition
        FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
        WHERE \(userObject("pg_collation", "c.oid", namespace: "c.collnamespace"))
        """,
        """
        SELECT 'statistics' AS kind, n.nspname || '.' || s.stxname AS name, pg_get_userbyid(s.stxowner) AS owner,
               pg_get_statisticsobjdef(s.oid) AS definition,
               CASE WHEN s.stxstattarget >= 0 THEN s.stxstattarget::text END AS "statistics target"
        FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
        WHERE \(userObject("pg_statistic_ext", "s.oid", namespace: "s.stxnamespace"))
        """,
        """
        SELECT 'policy' AS kind, n.nspname || '.' || c.relname || '.' || p.polname AS name,
               n.nspname || '.' || c.relname AS parent,
               CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete'
                 ELSE 'all' END AS command,
               CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END AS type,
               (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END, ', '
                                  ORDER BY CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END)
                FROM unnest(p.polroles) r) AS roles,
               pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS "with check"
        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE \(userObject("pg_class", "c.oid", namespace: "c.relnamespace"))
        """,
        """
        SELECT 'comment' AS kind, o.type || ' ' || o.identity AS name, d.description AS text
        FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
        WHERE d.objoid >= 16384 AND \(notInExtension("d.classoid", "d.objoid"))
          AND coalesce(o.schema, '') NOT LIKE 'pg\\_%' AND coalesce(o.schema, '') NOT IN \(excludedSchemas)
          AND NOT (o.type = 'schema' AND o.identity IN \(excludedSchemas))
        """,
        // The rarer objects pg_dump writes, by presence: what would tell them apart is
        // mostly other objects' oids, which change when those are made again.
        """
        SELECT o.type AS kind, o.identity AS name
        FROM (
          SELECT 'pg_publication'::regclass AS catalog, oid FROM pg_publication
          UNION ALL SELECT 'pg_publication_rel'::regclass, oid FROM pg_publication_rel
          UNION ALL SELECT 'pg_cast'::regclass, oid FROM pg_cast
          UNION ALL SELECT 'pg_operator'::regclass, oid FROM pg_operator
          UNION ALL SELECT 'pg_opclass'::regclass, oid FROM pg_opclass
          UNION ALL SELECT 'pg_opfamily'::regclass, oid FROM pg_opfamily
          UNION ALL SELECT 'pg_ts_config'::regclass, oid FROM pg_ts_config
          UNION ALL SELECT 'pg_ts_dict'::regclass, oid FROM pg_ts_dict
          UNION ALL SELECT 'pg_ts_parser'::regclass, oid FROM pg_ts_parser
          UNION ALL SELECT 'pg_ts_template'::regclass, oid FROM pg_ts_template
          UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid FROM pg_foreign_data_wrapper
          UNION ALL SELECT 'pg_foreign_server'::regclass, oid FROM pg_foreign_server
          UNION ALL SELECT 'pg_language'::regclass, oid FROM pg_language
          UNION ALL SELECT 'pg_conversion'::regclass, oid FROM pg_conversion
          UNION ALL SELECT 'pg_transform'::regclass, oid FROM pg_transform
          UNION ALL SELECT 'pg_am'::regclass, oid FROM pg_am
        ) x CROSS JOIN LATERAL pg_identify_object(x.catalog, x.oid, 0) o
        WHERE x.oid >= 16384 AND \(notInExtension("x.catalog", "x.oid"))
          AND coalesce(o.schema, '') NOT LIKE 'pg\\_%' AND coalesce(o.schema, '') NOT IN \(excludedSchemas)
        """,
        // A missing ACL means the default one: written out, so GRANT then REVOKE compares equal.
        """
        SELECT 'grant' AS kind,
               o.type || ' ' || o.identity || ' to ' || CASE WHEN g.grantee = 0 THEN 'public' ELSE pg_get_userbyid(g.grantee) END AS name,
               string_agg(g.privilege_type || CASE WHEN g.is_grantable THEN ' with grant option' ELSE '' END, ', '
                          ORDER BY g.privilege_type) AS privileges
        FROM (
          SELECT 'pg_class'::regclass AS catalog, c.oid AS id, 0 AS sub, c.relnamespace AS namespace,
                 coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)) AS acl
          FROM pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          UNION ALL
          SELECT 'pg_class'::regclass, a.attrelid, a.attnum, c.relnamespace, a.attacl
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
          UNION ALL
          SELECT 'pg_namespace'::regclass, s.oid, 0, s.oid, coalesce(s.nspacl, acldefault('n'::"char", s.nspowner)) FROM pg_namespace s
          UNION ALL
          SELECT 'pg_proc'::regclass, p.oid, 0, p.pronamespace, coalesce(p.proacl, acldefault('f'::"char", p.proowner)) FROM pg_proc p
          UNION ALL
          SELECT 'pg_type'::regclass, t.oid, 0, t.typnamespace, coalesce(t.typacl, acldefault('T'::"char", t.typowner))
          FROM pg_type t WHERE t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
        ) x
        CROSS JOIN LATERAL aclexplode(x.acl) g CROSS JOIN LATERAL pg_identify_object(x.catalog, x.id, x.sub) o
        WHERE \(inUserSchema("x.namespace")) AND \(notInExtension("x.catalog", "x.id"))
        GROUP BY 1, 2
        """,
        """
        SELECT 'default privileges' AS kind,
               'for ' || pg_get_userbyid(d.defaclrole) || coalesce(' in schema ' || n.nspname, '') || ' on '
               || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                    WHEN 'T' THEN 'types' ELSE 'schemas' END AS name,
               array_to_string(d.defaclacl, ', ') AS privileges
        FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        """,
    ]
}
