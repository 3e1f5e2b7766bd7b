package bench

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"gorm.io/gorm"
)

// The zoo suite in GORM and in bun, each written as its documentation
// shows: model queries for objects, Select/Scan (GORM) and
// ColumnExpr/Scan (bun) for projections and aggregates, Save and
// Update...WherePK for edits.

// ---- GORM ----

type gZoo struct {
	ID        int64
	Name      string
	Founded   *time.Time
	Admission float64
}

func (gZoo) TableName() string { return "zoo" }

type gAnimal struct {
	ID         int64
	ZooID      *int64
	Name       string
	Species    string
	Legs       int32
	LastEscape *time.Time
	Lifespan   *float64
}

func (gAnimal) TableName() string { return "animal" }

type speciesLifespan struct {
	Species  string
	Lifespan *float64
}

type animalAggregates struct {
	N       int64
	MaxLegs int32
	MinLegs int32
	AvgLife float64
	SumLegs int64
}

type zooAnimalIDs struct {
	ZooID    int64
	AnimalID int64
}

type zooSpecies struct {
	Name    *string
	Species *string
}

type animalsPerZoo struct {
	Name    string
	N       int64
	MaxLegs int32
}

func gormZoo(ctx context.Context, db *gorm.DB, iters int) (Check, error) {
	db = db.WithContext(ctx)
	t := newZooTally(iters)

	// insert
	err := db.Transaction(func(tx *gorm.DB) error {
		zoos := make([]gZoo, len(zooData))
		for i, z := range zooData {
			zoos[i] = gZoo{Name: z.name, Founded: z.founded, Admission: float64(z.admission) / 100}
		}
		if err := tx.Create(&zoos).Error; err != nil {
			return err
		}
		ids := map[string]*int64{}
		for i := range zoos {
			ids[zoos[i].Name] = &zoos[i].ID
		}
		data := animalData(iters)
		animals := make([]gAnimal, len(data))
		for i, a := range data {
			animals[i] = gAnimal{ZooID: ids[a.zoo], Name: a.name, Species: a.species, Legs: a.legs, LastEscape: a.lastEscape, Lifespan: a.lifespan}
		}
		return tx.Create(&animals).Error
	})
	if err != nil {
		return Check{}, err
	}

	zoos := func(name string, q *gorm.DB) error {
		var got []gZoo
		err := q.Find(&got).Error
		t.got(name, len(got))
		return err
	}
	animals := func(name string, q *gorm.DB) error {
		var got []gAnimal
		err := q.Find(&got).Error
		for _, a := range got {
			t.legs += int64(a.Legs)
		}
		t.got(name, len(got))
		return err
	}

	// properties
	for range iters {
		for _, err := range []error{
			zoos("zoo by name", db.Where("name = ?", zooWAP)),
			zoos("zoo by founded", db.Where("founded = ?", zoo1835)),
			zoos("zoo by name 2", db.Where("name = ?", zooBio)),
			zoos("zoo by admission", db.Where("admission = ?", 60.0)),
			animals("leopard", db.Where("species = ?", "Leopard")),
			animals("ostrich", db.Where("species = ?", "Ostrich")),
			animals("millipede", db.Where("legs = ?", 1000000)),
			animals("ticks", db.Where("species = ?", "Tick")),
		} {
			if err != nil {
				return Check{}, err
			}
		}
	}

	// expressions
	for range iters {
		now := time.Now().UTC()
		for _, err := range []error{
			animals("all", db),
			animals("legs = 4", db.Where("legs = ?", 4)),
			animals("legs = 2", db.Where("legs = ?", 2)),
			animals("2 <= legs < 20", db.Where("legs >= ? AND legs < ?", 2, 20)),
			animals("legs > 10", db.Where("legs > ?", 10)),
			animals("lifespan > 70", db.Where("lifespan > ?", 70.0)),
			animals("species L%", db.Where("species LIKE ?", "L%")),
			animals("species %pede", db.Where("species LIKE ?", "%pede")),
			animals("escaped", db.Where("last_escape IS NOT NULL")),
			animals("never escaped", db.Where("last_escape IS NULL")),
			animals("species %pede%", db.Where("species LIKE ?", "%pede%")),
			animals("species in", db.Where("species IN ?", []string{"Lion", "Tiger", "Bear"})),
			animals("name in", db.Where("name IN ?", []string{"Slug", "Ostrich"})),
			animals("species like Lion", db.Where("species LIKE ?", "Lion")),
			animals("length(species) = 4", db.Where("length(species) = ?", 4)),
			animals("species %i%", db.Where("species LIKE ?", "%i%")),
			animals("escaped in 2004", db.Where("last_escape BETWEEN ? AND ?", escape2004From, escape2004To)),
			animals("escaped in December", db.Where("last_escape >= ? AND last_escape < ?", escapeDecFrom, escapeDecTo)),
			animals("escaped today", db.Where("last_escape = ?", now.Truncate(24*time.Hour))),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		var n int64
		if err := db.Model(&gZoo{}).Where("founded IS NOT NULL AND founded < ?", now).Count(&n).Error; err != nil {
			return Check{}, err
		}
		t.got("zoos founded", int(n))
	}

	// aggregates
	for range iters {
		var legs []int32
		if err := db.Model(&gAnimal{}).Distinct().Order("legs").Pluck("legs", &legs).Error; err != nil {
			return Check{}, err
		}
		t.got("distinct legs", len(legs))
		for _, l := range legs {
			t.legs += int64(l)
		}
		var spans []speciesLifespan
		if err := db.Model(&gAnimal{}).Select("species, lifespan").Where("lifespan IS NOT NULL").Order("species").Scan(&spans).Error; err != nil {
			return Check{}, err
		}
		t.got("lifespans", len(spans))
		var names []string
		if err := db.Model(&gZoo{}).Where("founded IS NOT NULL AND founded <= ? AND founded >= ?", time.Now().UTC(), zoo1990).Order("name").Pluck("name", &names).Error; err != nil {
			return Check{}, err
		}
		t.got("recent zoos", len(names))
		var agg animalAggregates
		if err := db.Model(&gAnimal{}).Select("count(*) AS n, max(legs) AS max_legs, min(legs) AS min_legs, avg(lifespan) AS avg_life, sum(legs) AS sum_legs").Scan(&agg).Error; err != nil {
			return Check{}, err
		}
		t.aggregates(agg.N, agg.MaxLegs, agg.MinLegs, agg.SumLegs, iters)
	}

	// editing
	err = db.Transaction(func(tx *gorm.DB) error {
		for range iters {
			var sdz gZoo
			if err := tx.Where("name = ?", zooSDZ).First(&sdz).Error; err != nil {
				return err
			}
			t.got("edit load", 1)
			sdz.Name, sdz.Founded, sdz.Admission = zooSDZNew, ptrTo(zoo1900), 35
			if err := tx.Save(&sdz).Error; err != nil {
				return err
			}
			var again gZoo
			if err := tx.Where("name = ?", zooSDZNew).First(&again).Error; err != nil {
				return err
			}
			t.got("edit reload", 1)
			if again.Founded == nil || !again.Founded.Equal(zoo1900) {
				t.fail("edited zoo founded %v", again.Founded)
			}
			again.Name, again.Founded, again.Admission = zooSDZ, ptrTo(zoo1835), 0
			if err := tx.Save(&again).Error; err != nil {
				return err
			}
			var back gZoo
			if err := tx.Where("name = ?", zooSDZ).First(&back).Error; err != nil {
				return err
			}
			t.got("edit back", 1)
			if back.Founded == nil || !back.Founded.Equal(zoo1835) {
				t.fail("zoo edited back founded %v", back.Founded)
			}
		}
		return nil
	})
	if err != nil {
		return Check{}, err
	}

	// multiview
	for range iters {
		if err := animals("sdz animals", db.Joins("JOIN zoo ON zoo.id = animal.zoo_id").Where("zoo.name = ?", zooSDZ).Order("animal.id")); err != nil {
			return Check{}, err
		}
		var ids []zooAnimalIDs
		if err := db.Table("zoo").Select("zoo.id AS zoo_id, animal.id AS animal_id").Joins("JOIN animal ON animal.zoo_id = zoo.id").
			Where("zoo.name = ? AND animal.species = ?", zooWAP, "Leopard").Scan(&ids).Error; err != nil {
			return Check{}, err
		}
		t.got("zoo and leopard", len(ids))
		pairs := func(name string, q *gorm.DB) error {
			var got []zooSpecies
			err := q.Scan(&got).Error
			t.got(name, len(got))
			return err
		}
		for _, err := range []error{
			pairs("inner join", db.Table("zoo").Select("zoo.name, animal.species").Joins("JOIN animal ON animal.zoo_id = zoo.id")),
			pairs("zoos without animals", db.Table("zoo").Select("zoo.name, animal.species").Joins("LEFT JOIN animal ON animal.zoo_id = zoo.id").
				Where("animal.id IS NULL").Order("zoo.name")),
			pairs("animals left join zoos", db.Table("animal").Select("zoo.name, animal.species").Joins("LEFT JOIN zoo ON zoo.id = animal.zoo_id")),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		var per []animalsPerZoo
		if err := db.Table("zoo").Select("zoo.name, count(*) AS n, max(animal.legs) AS max_legs").Joins("JOIN animal ON animal.zoo_id = zoo.id").
			Group("zoo.name").Having("count(*) >= ?", 2).Order("zoo.name").Scan(&per).Error; err != nil {
			return Check{}, err
		}
		t.got("animals per zoo", len(per))
		for _, p := range per {
			t.legs += int64(p.MaxLegs)
		}
	}
	return t.check()
}

// ---- bun ----

type bZoo struct {
	bun.BaseModel `bun:"table:zoo,alias:zoo"`
	ID            int64 `bun:"id,pk,autoincrement"`
	Name          string
	Founded       *time.Time
	Admission     bunMoney
}

type bAnimal struct {
	bun.BaseModel `bun:"table:animal,alias:animal"`
	ID            int64 `bun:"id,pk,autoincrement"`
	ZooID         *int64
	Name          string
	Species       string
	Legs          int32
	LastEscape    *time.Time
	Lifespan      *float64
}

func bunZoo(ctx context.Context, db *bun.DB, iters int) (Check, error) {
	t := newZooTally(iters)

	// insert
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		zoos := make([]bZoo, len(zooData))
		for i, z := range zooData {
			zoos[i] = bZoo{Name: z.name, Founded: z.founded, Admission: bunMoney(z.admission) / 100}
		}
		if _, err := tx.NewInsert().Model(&zoos).Exec(ctx); err != nil {
			return err
		}
		ids := map[string]*int64{}
		for i := range zoos {
			ids[zoos[i].Name] = &zoos[i].ID
		}
		data := animalData(iters)
		animals := make([]bAnimal, len(data))
		for i, a := range data {
			animals[i] = bAnimal{ZooID: ids[a.zoo], Name: a.name, Species: a.species, Legs: a.legs, LastEscape: a.lastEscape, Lifespan: a.lifespan}
		}
		_, err := tx.NewInsert().Model(&animals).Exec(ctx)
		return err
	})
	if err != nil {
		return Check{}, err
	}

	zoos := func(name string, where string, args ...any) error {
		var got []bZoo
		err := db.NewSelect().Model(&got).Where(where, args...).Scan(ctx)
		t.got(name, len(got))
		return err
	}
	animalsQ := func(name string, q *bun.SelectQuery, got *[]bAnimal) error {
		err := q.Scan(ctx)
		for _, a := range *got {
			t.legs += int64(a.Legs)
		}
		t.got(name, len(*got))
		return err
	}
	animals := func(name string, where string, args ...any) error {
		var got []bAnimal
		q := db.NewSelect().Model(&got)
		if where != "" {
			q = q.Where(where, args...)
		}
		return animalsQ(name, q, &got)
	}

	// properties
	for range iters {
		for _, err := range []error{
			zoos("zoo by name", "name = ?", zooWAP),
			zoos("zoo by founded", "founded = ?", zoo1835),
			zoos("zoo by name 2", "name = ?", zooBio),
			zoos("zoo by admission", "admission = ?", 60.0),
			animals("leopard", "species = ?", "Leopard"),
			animals("ostrich", "species = ?", "Ostrich"),
			animals("millipede", "legs = ?", 1000000),
			animals("ticks", "species = ?", "Tick"),
		} {
			if err != nil {
				return Check{}, err
			}
		}
	}

	// expressions
	for range iters {
		now := time.Now().UTC()
		for _, err := range []error{
			animals("all", ""),
			animals("legs = 4", "legs = ?", 4),
			animals("legs = 2", "legs = ?", 2),
			animals("2 <= legs < 20", "legs >= ? AND legs < ?", 2, 20),
			animals("legs > 10", "legs > ?", 10),
			animals("lifespan > 70", "lifespan > ?", 70.0),
			animals("species L%", "species LIKE ?", "L%"),
			animals("species %pede", "species LIKE ?", "%pede"),
			animals("escaped", "last_escape IS NOT NULL"),
			animals("never escaped", "last_escape IS NULL"),
			animals("species %pede%", "species LIKE ?", "%pede%"),
			animals("species in", "species IN (?)", bun.In([]string{"Lion", "Tiger", "Bear"})),
			animals("name in", "name IN (?)", bun.In([]string{"Slug", "Ostrich"})),
			animals("species like Lion", "species LIKE ?", "Lion"),
			animals("length(species) = 4", "length(species) = ?", 4),
			animals("species %i%", "species LIKE ?", "%i%"),
			animals("escaped in 2004", "last_escape BETWEEN ? AND ?", escape2004From, escape2004To),
			animals("escaped in December", "last_escape >= ? AND last_escape < ?", escapeDecFrom, escapeDecTo),
			animals("escaped today", "last_escape = ?", now.Truncate(24*time.Hour)),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		n, err := db.NewSelect().Model((*bZoo)(nil)).Where("founded IS NOT NULL AND founded < ?", now).Count(ctx)
		if err != nil {
			return Check{}, err
		}
		t.got("zoos founded", int(n))
	}

	// aggregates
	for range iters {
		var legs []int32
		if err := db.NewSelect().Model((*bAnimal)(nil)).Distinct().Column("legs").Order("legs").Scan(ctx, &legs); err != nil {
			return Check{}, err
		}
		t.got("distinct legs", len(legs))
		for _, l := range legs {
			t.legs += int64(l)
		}
		var spans []speciesLifespan
		if err := db.NewSelect().Model((*bAnimal)(nil)).Column("species", "lifespan").Where("lifespan IS NOT NULL").Order("species").Scan(ctx, &spans); err != nil {
			return Check{}, err
		}
		t.got("lifespans", len(spans))
		var names []string
		if err := db.NewSelect().Model((*bZoo)(nil)).Column("name").Where("founded IS NOT NULL AND founded <= ? AND founded >= ?", time.Now().UTC(), zoo1990).
			Order("name").Scan(ctx, &names); err != nil {
			return Check{}, err
		}
		t.got("recent zoos", len(names))
		var agg animalAggregates
		if err := db.NewSelect().Model((*bAnimal)(nil)).
			ColumnExpr("count(*) AS n, max(legs) AS max_legs, min(legs) AS min_legs, avg(lifespan) AS avg_life, sum(legs) AS sum_legs").Scan(ctx, &agg); err != nil {
			return Check{}, err
		}
		t.aggregates(agg.N, agg.MaxLegs, agg.MinLegs, agg.SumLegs, iters)
	}

	// editing
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		load := func(name, zooName string, z *bZoo) error {
			if err := tx.NewSelect().Model(z).Where("name = ?", zooName).Limit(1).Scan(ctx); err != nil {
				return err
			}
			t.got(name, 1)
			return nil
		}
		for range iters {
			var sdz bZoo
			if err := load("edit load", zooSDZ, &sdz); err != nil {
				return err
			}
			sdz.Name, sdz.Founded, sdz.Admission = zooSDZNew, ptrTo(zoo1900), 35
			if _, err := tx.NewUpdate().Model(&sdz).WherePK().Exec(ctx); err != nil {
				return err
			}
			var again bZoo
			if err := load("edit reload", zooSDZNew, &again); err != nil {
				return err
			}
			if again.Founded == nil || !again.Founded.Equal(zoo1900) {
				t.fail("edited zoo founded %v", again.Founded)
			}
			again.Name, again.Founded, again.Admission = zooSDZ, ptrTo(zoo1835), 0
			if _, err := tx.NewUpdate().Model(&again).WherePK().Exec(ctx); err != nil {
				return err
			}
			var back bZoo
			if err := load("edit back", zooSDZ, &back); err != nil {
				return err
			}
			if back.Founded == nil || !back.Founded.Equal(zoo1835) {
				t.fail("zoo edited back founded %v", back.Founded)
			}
		}
		return nil
	})
	if err != nil {
		return Check{}, err
	}

	// multiview
	for range iters {
		var sdz []bAnimal
		if err := animalsQ("sdz animals", db.NewSelect().Model(&sdz).Join("JOIN zoo ON zoo.id = animal.zoo_id").Where("zoo.name = ?", zooSDZ).Order("animal.id"), &sdz); err != nil {
			return Check{}, err
		}
		var ids []zooAnimalIDs
		if err := db.NewSelect().TableExpr("zoo").ColumnExpr("zoo.id AS zoo_id, animal.id AS animal_id").Join("JOIN animal ON animal.zoo_id = zoo.id").
			Where("zoo.name = ? AND animal.species = ?", zooWAP, "Leopard").Scan(ctx, &ids); err != nil {
			return Check{}, err
		}
		t.got("zoo and leopard", len(ids))
		pairs := func(name string, q *bun.SelectQuery) error {
			var got []zooSpecies
			err := q.Scan(ctx, &got)
			t.got(name, len(got))
			return err
		}
		for _, err := range []error{
			pairs("inner join", db.NewSelect().TableExpr("zoo").ColumnExpr("zoo.name, animal.species").Join("JOIN animal ON animal.zoo_id = zoo.id")),
			pairs("zoos without animals", db.NewSelect().TableExpr("zoo").ColumnExpr("zoo.name, animal.species").Join("LEFT JOIN animal ON animal.zoo_id = zoo.id").
				Where("animal.id IS NULL").Order("zoo.name")),
			pairs("animals left join zoos", db.NewSelect().TableExpr("animal").ColumnExpr("zoo.name, animal.species").Join("LEFT JOIN zoo ON zoo.id = animal.zoo_id")),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		var per []animalsPerZoo
		if err := db.NewSelect().TableExpr("zoo").ColumnExpr("zoo.name, count(*) AS n, max(animal.legs) AS max_legs").Join("JOIN animal ON animal.zoo_id = zoo.id").
			Group("zoo.name").Having("count(*) >= ?", 2).Order("zoo.name").Scan(ctx, &per); err != nil {
			return Check{}, err
		}
		t.got("animals per zoo", len(per))
		for _, p := range per {
			t.legs += int64(p.MaxLegs)
		}
	}
	return t.check()
}
