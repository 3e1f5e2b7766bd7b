// Package pgseq writes the SQL that draws a generated key on PostgreSQL
// where a statement cannot say DEFAULT: in the select list of INSERT ...
// SELECT, and ahead of a COPY. Packages retort and inherit share it.
package pgseq

import "strconv"

// Nextval returns the expression drawing one value from the sequence of a
// generated key whose table (a quoted identifier) and column (a plain
// name) are parameters $t and $c.
//
// The sequence is found once per statement (an uncorrelated scalar
// subquery runs once, as an InitPlan): pg_get_serial_sequence for serial
// and identity columns; for a column whose default is nextval of a
// sequence the column does not own (a sequence shared by several tables,
// or made by hand), the sequence that default depends on, read from the
// catalogs. That second lookup runs only when the first finds nothing.
func Nextval(t, c int) string {
	tp, cp := "$"+strconv.Itoa(t)+"::text", "$"+strconv.Itoa(c)+"::text"
	return "nextval((SELECT COALESCE(pg_get_serial_sequence(" + tp + ", " + cp + ")::regclass, " +
		"(SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a" +
		" JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum" +
		" JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass" +
		" JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'" +
		" WHERE a.adrelid = " + tp + "::regclass AND c.attname = " + cp + " LIMIT 1))))"
}
