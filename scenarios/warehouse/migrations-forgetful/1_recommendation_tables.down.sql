DROP TABLE putaway_recommendations;
